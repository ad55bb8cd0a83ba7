import type { MiddlewareObj } from '@middy/core';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors.js';
import { headerOf, methodOf, type JsonEvent } from './http-event.js';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes (413 beyond). */
  maxBytes: number;
  /** Deepest nesting of arrays and objects accepted (400 beyond). */
  maxDepth: number;
}

/**
 * `application/json` and `application/<anything>+json` (FHIR's `application/fhir+json`). curl's
 * default for `-d`, `application/x-www-form-urlencoded`, is read as JSON too, so that
 * `curl -d @facts.json` works; any other declared type is 415.
 */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;
const CURL_DEFAULT = 'application/x-www-form-urlencoded';

/** A JSON string, escapes included; one left open (even by a last backslash) runs to the end of the text. */
const JSON_STRING = /"[^"\\]*(?:\\[\s\S]?[^"\\]*)*(?:"|$)/g;
const NOT_BRACKET = /[^[\]{}]+/g;

/**
 * jsonDepth by two regular-expression passes, which run natively: strings, then all but brackets,
 * dropped; the few brackets left are then read a character at a time.
 */
export function jsonDepthByPasses(text: string): number {
  return jsonDepthByCharacters(text.replace(JSON_STRING, '').replace(NOT_BRACKET, ''));
}

/** jsonDepth a character at a time. */
export function jsonDepthByCharacters(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) deepest = Math.max(deepest, ++depth);
    else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return deepest;
}

/** Below this length the passes are used; at and above it, the loop. */
export const PASSES_BELOW_CHARACTERS = 64 * 1024;

/**
 * Nesting depth of a JSON text, counted without parsing it (brackets inside strings ignored). A
 * loop over every character runs interpreted in a cold process, and showed in the profile of the
 * CDS Hooks cold start (`npm run bench -- --only profile`); the passes run natively and do not.
 * They cost per string and escape rather than per character, so on long texts made of little else
 * they are slower than the loop, compiled by then: long texts take the loop.
 */
export function jsonDepth(text: string): number {
  return text.length < PASSES_BELOW_CHARACTERS ? jsonDepthByPasses(text) : jsonDepthByCharacters(text);
}

/**
 * Parses a POST's JSON body into `event.jsonBody`, after checking its media type (415), size (413)
 * and depth (400). Written here rather than taken from @middy/http-json-body-parser, which answers
 * 415 for malformed JSON where the contract asks for 400, and quotes no limits. Error texts never
 * quote the body.
 */
export function jsonBody(options: JsonBodyOptions): MiddlewareObj<JsonEvent> {
  const jsonBodyBefore: MiddlewareObj<JsonEvent>['before'] = (request) => {
    const { event } = request;
    if (methodOf(event) !== 'POST') return;
    const mediaType = (headerOf(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== '' && mediaType !== CURL_DEFAULT && !JSON_TYPE.test(mediaType)) {
      throw unsupportedMediaType('application/json');
    }
    const raw = event.body ?? '';
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.length > options.maxBytes) throw payloadTooLarge(options.maxBytes);
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      throw badRequest('The body is empty; send a JSON object.', [{ path: '$', expected: 'a JSON object', found: 'nothing' }]);
    }
    if (jsonDepth(text) > options.maxDepth) {
      throw badRequest(`The body nests deeper than ${options.maxDepth} levels.`, [
        { path: '$', expected: `JSON nested at most ${options.maxDepth} levels deep`, found: 'deeper nesting' },
      ]);
    }
    try {
      event.jsonBody = JSON.parse(text);
    } catch {
      throw badRequest('The body is not valid JSON.', [{ path: '$', expected: 'a JSON object', found: 'text that is not JSON' }]);
    }
  };
  return { before: jsonBodyBefore };
}
