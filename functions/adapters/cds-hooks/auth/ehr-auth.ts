import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { serviceUnavailable, unauthorized } from '../../http/errors.js';
import { headerOf, methodOf, pathOf, type HttpEvent } from '../../http/http-event.js';
import { logger } from '../../logger.js';
import { StateStoreUnavailable } from '../../state/state-table.js';
import { EhrJwtRejected, type EhrJwtVerifier, type VerifiedEhrJwt } from './ehr-jwt.js';

/**
 * Where ehrAuth leaves the verified caller for the handler: a symbol on the Lambda context, which
 * nothing in an event or a body can set.
 */
const CALLER = Symbol('verified EHR caller');
type CallContext = Context & { [CALLER]?: VerifiedEhrJwt };

/** The EHR whose JWT was verified for this call; undefined when verification is off. */
export const verifiedCallerOf = (context: Context): VerifiedEhrJwt | undefined => (context as CallContext)[CALLER];

/** The issuer that signed the call, as cards are recorded for it; `unverified` when verification is off. */
export const callerIssuerOf = (context: Context): string => verifiedCallerOf(context)?.iss ?? 'unverified';

/**
 * Middleware: every CDS Hooks call must carry a JWT the verifier accepts, with the URL being called
 * as its audience. CORS preflights pass (browsers send them without credentials). A rejection is a
 * 401 with no detail; the log line has the reason code only. When the replay store cannot be
 * reached the call is refused with 503, the log line saying why. The verified caller is kept for the
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
      if (error instanceof StateStoreUnavailable) {
        // Fail closed: without the replay check the token could be a replay.
        logger.error('state store unavailable: call refused', { operation: 'replay-check', reason: error.reason });
        throw serviceUnavailable();
      }
      if (!(error instanceof EhrJwtRejected)) throw error;
      logger.warn('EHR token rejected', { reason: error.reason });
      throw unauthorized();
    }
  };
  return { before: ehrAuthBefore };
}
