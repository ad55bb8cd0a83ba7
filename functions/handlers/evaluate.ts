import { evaluateEndpoint } from '../adapters/http/evaluate-endpoint.js';
import { httpService } from '../adapters/http/http-service.js';
import { router } from '../adapters/http/router.js';

/** Lambda for `POST /evaluate` (API Gateway HTTP API payload 2.0, or REST API 1.0). */
export const handler = httpService(router([{ method: 'POST', path: '/evaluate', handler: evaluateEndpoint }]));
