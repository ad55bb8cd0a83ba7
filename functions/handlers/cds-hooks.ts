import { loadCdsConfig } from '../adapters/cds-hooks/cds-config.js';
import { discoveryEndpoint, serviceEndpoint } from '../adapters/cds-hooks/cds-endpoints.js';
import { feedbackEndpoint } from '../adapters/cds-hooks/feedback-endpoint.js';
import { ehrAuth } from '../adapters/cds-hooks/auth/ehr-auth.js';
import { createEhrJwtVerifier } from '../adapters/cds-hooks/auth/ehr-jwt.js';
import { memoryReplayStore, tableReplayStore } from '../adapters/cds-hooks/auth/replay-cache.js';
import { fhirServerTrust } from '../adapters/cds-hooks/fhir-server-trust.js';
import { httpService } from '../adapters/http/http-service.js';
import { router } from '../adapters/http/router.js';
import { logger } from '../adapters/logger.js';
import { cardRecorder } from '../adapters/state/card-records.js';
import { stateTable } from '../adapters/state/state-table.js';

/** Read once per container: a bad setting fails the cold start with the setting named. */
const config = loadCdsConfig();
/** The state table (CDS_STATE_TABLE), shared by every container; without one, this process's memory. */
const table = config.stateTable === undefined ? undefined : stateTable(config.stateTable);
const verifier = createEhrJwtVerifier(config.security, {
  replays: table ? tableReplayStore(table) : memoryReplayStore(),
});
const recorder = table ? cardRecorder(table) : undefined;
if (!verifier.enabled) {
  logger.warn('CDS_JWT_VERIFICATION=off: EHR tokens are NOT verified, and only loopback FHIR servers are read (local use only)');
}

/**
 * A CDS Hooks call carries the EHR's prefetch: FHIR Bundles of a patient's results over time (the
 * history template asks for up to 200), which outgrow /evaluate's 64 KB; 5 MB stays under Lambda's
 * 6 MB for a synchronous call. FHIR resources nest deeper than patient facts (contained Medications,
 * extensions within extensions).
 */
const CDS_LIMITS = Object.freeze({ maxBodyBytes: 5 * 1024 * 1024, maxJsonDepth: 32 });

/** Lambda for the CDS Hooks services: discovery, order-select, order-sign, patient-view and feedback. */
export const handler = httpService(
  router([
    { method: 'GET', path: '/cds-services', handler: discoveryEndpoint },
    { method: 'POST', path: '/cds-services/{id}', handler: serviceEndpoint(fhirServerTrust(config.security), recorder) },
    { method: 'POST', path: '/cds-services/{id}/feedback', handler: feedbackEndpoint(recorder) },
  ]),
  [ehrAuth(verifier, config.publicBaseUrl)],
  CDS_LIMITS,
);
