import { PREFETCH, USAGE_REQUIREMENTS, type CdsService } from '../cds-service.js';

/**
 * patient-view: the chart of a patient on imatinib is opened. The active imatinib order is checked
 * with its course; the cards are the response findings, the holds, the interactions and the
 * monitoring due, and the warnings about the molecular picture (its information findings are for
 * the order hooks, where therapy is chosen). A patient not on imatinib gets no cards.
 */
export const imatinibPatientView: CdsService = {
  definition: {
    id: 'imatinib-sm-patient-view',
    hook: 'patient-view',
    title: 'Imatinib in systemic mastocytosis: response and safety on treatment',
    description:
      "For a patient with systemic mastocytosis on imatinib: the response by the 2006 trial's endpoints, holds for low counts and " +
      'liver tests, interactions with current drugs and the monitoring due, each with its evidence.',
    prefetch: PREFETCH,
    usageRequirements: USAGE_REQUIREMENTS,
  },
  shows: (finding) => finding.category !== 'therapy-selection' || finding.indicator !== 'info',
};
