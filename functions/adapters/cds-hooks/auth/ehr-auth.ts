import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { unauthorized } from '../../http/errors.js';
import { headerOf, methodOf, pathOf, type HttpEvent } from '../../http/http-event.js';
import { logger } from '../../logger.js';
import { EhrJwtRejected, type EhrJwtVerifier, type VerifiedEhrJwt } from './ehr-jwt.js';

/**
 * Where ehrAuth leaves the verified caller for the handler: a symbol on the Lambda context, which
 * nothing in an event or a body can set.
 */
const CALLER = Symbol('verified EHR caller');
type CallContext = Context & { [CALLER]?: VerifiedEhrJwt };

/** The EHR whose JWT was verified for this call; undefined when verification is off. */
export const verifiedCallerOf = (context: Context): VerifiedEhrJwt | undefined => (context as CallContext)[CALLER];

/**
 * Middleware: every CDS Hooks call must carry a JWT the verifier accepts, with the URL being called
 * as its audience. CORS preflights pass (browsers send them without credentials). A rejection is a
 * 401 with no detail; the log line has the reason code only. The verified caller is kept for the
 * handler (verifiedCallerOf), which binds the FHIR server it may read to it.
 */
export function ehrAuth(verifier: EhrJwtVerifier, publicBaseUrl: string | undefined): MiddlewareObj<HttpEvent> {
  const ehrAuthBefore: MiddlewareObj<HttpEvent>['before'] = async (request) => {
    const context = request.context as CallContext;
    context[CALLER] = undefined;
    if (!verifier.enabled || methodOf(request.event) === 'OPTIONS') return;
    try {
      context[CALLER] = await verifier.verify(
        headerOf(request.event, 'authorization'),
        `${publicBaseUrl ?? ''}${pathOf(request.event)}`,
      );
    } catch (error) {
      if (!(error instanceof EhrJwtRejected)) throw error;
      logger.warn('EHR token rejected', { reason: error.reason });
      throw unauthorized();
    }
  };
  return { before: ehrAuthBefore };
}
