import patientFactsSchema from '../../schemas/patient-facts.schema.json' with { type: 'json' };

/** What the build's checks read of the PatientFacts schema: the place and kind of each fact. */

export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  $ref?: string;
}

const factsSchema = patientFactsSchema as SchemaNode & { $defs: Record<string, SchemaNode> };

export function deref(node: SchemaNode): SchemaNode {
  return node.$ref ? deref(factsSchema.$defs[node.$ref.replace('#/$defs/', '')] ?? {}) : node;
}

/** The PatientFacts schema node at a dotted path, or undefined when no such fact exists. */
export function factSchemaAt(dottedPath: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = factsSchema;
  const segments = dottedPath.split('.');
  for (const [index, segment] of segments.entries()) {
    node = deref(node);
    const isLast = index === segments.length - 1;
    if (segment === 'length' && isLast && node.type === 'array') return { type: 'number' };
    node = node.properties && Object.hasOwn(node.properties, segment) ? node.properties[segment] : undefined;
    if (node === undefined) return undefined;
  }
  return deref(node);
}
