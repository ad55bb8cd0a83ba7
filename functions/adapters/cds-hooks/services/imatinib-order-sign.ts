import { imatinibDraftOrders, PREFETCH, USAGE_REQUIREMENTS, type CdsService } from '../cds-service.js';

/** order-sign: the clinician is about to sign; every imatinib order of the draft is checked. */
export const imatinibOrderSign: CdsService = {
  definition: {
    id: 'imatinib-sm-order-sign',
    hook: 'order-sign',
    title: 'Imatinib in systemic mastocytosis: checks before signing',
    description:
      'Before an imatinib order for a patient with systemic mastocytosis is signed: the molecular picture, dose, renal, ' +
      'hepatic, pregnancy, interaction and cardiac checks, and the baseline endpoints to record, each with its evidence.',
    prefetch: PREFETCH,
    usageRequirements: USAGE_REQUIREMENTS,
  },
  draftOrders: imatinibDraftOrders,
};
