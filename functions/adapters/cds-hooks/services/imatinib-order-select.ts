import { imatinibDraftOrders, PREFETCH, USAGE_REQUIREMENTS, type CdsService } from '../cds-service.js';

/**
 * order-select: the clinician has just picked imatinib. Only the orders named in
 * `context.selections` are checked; the rest of the draft is context.
 */
export const imatinibOrderSelect: CdsService = {
  definition: {
    id: 'imatinib-sm-order-select',
    hook: 'order-select',
    title: 'Imatinib in systemic mastocytosis: checks when imatinib is selected',
    description:
      'When imatinib is selected for a patient with systemic mastocytosis: what the KIT D816V and FIP1L1-PDGFRA status ' +
      'mean for the response, and dose, renal, hepatic, pregnancy, interaction and cardiac checks, each with its evidence.',
    prefetch: PREFETCH,
    usageRequirements: USAGE_REQUIREMENTS,
  },
  draftOrders: (request) => {
    const selected = new Set(request.context.selections ?? []);
    return imatinibDraftOrders(request).filter((order) => selected.has(`MedicationRequest/${order.id ?? ''}`));
  },
};
