import type { CdsService } from '../cds-service.js';
import { imatinibOrderSelect } from './imatinib-order-select.js';
import { imatinibOrderSign } from './imatinib-order-sign.js';
import { imatinibPatientView } from './imatinib-patient-view.js';

/** Every CDS service this function offers; discovery lists them in this order. */
const cdsServices: readonly CdsService[] = [imatinibOrderSelect, imatinibOrderSign, imatinibPatientView];

export const serviceById = (id: string): CdsService | undefined => cdsServices.find((s) => s.definition.id === id);

/** The discovery document (CDS Hooks 2.0): only the public definition of each service. */
export const discoveryDocument = () => ({ services: cdsServices.map((s) => s.definition) });
