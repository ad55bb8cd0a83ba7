import type { MiddlewareObj } from '@middy/core';
import { unauthorized } from '../../http/errors.js';
import { headerOf, methodOf, pathOf, type HttpEvent } from '../../http/http-event.js';
import { logger } from '../../logger.js';
import { EhrJwtRejected, type EhrJwtVerifier } from './ehr-jwt.js';

/**
 * Middleware: every CDS Hooks call must carry a JWT the verifier accepts, with the URL being called
 * as its audience. CORS preflights pass (browsers send them without credentials). A rejection is a
 * 401 with no detail; the log line has the reason code only.
 */
export function ehrAuth(verifier: EhrJwtVerifier, publicBaseUrl: string | undefined): MiddlewareObj<HttpEvent> {
  const ehrAuthBefore: MiddlewareObj<HttpEvent>['before'] = async (request) => {
    if (!verifier.enabled || methodOf(request.event) === 'OPTIONS') return;
    try {
      await verifier.verify(headerOf(request.event, 'authorization'), `${publicBaseUrl ?? ''}${pathOf(request.event)}`);
    } catch (error) {
      if (!(error instanceof EhrJwtRejected)) throw error;
      logger.warn('EHR token rejected', { reason: error.reason });
      throw unauthorized();
    }
  };
  return { before: ehrAuthBefore };
}
