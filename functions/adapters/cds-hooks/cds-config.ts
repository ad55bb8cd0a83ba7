import { loadSecurityConfig, SecurityConfigError, type SecurityConfig } from './security-config.js';

/**
 * The CDS Hooks function's configuration, read and checked once at cold start (a bad setting stops
 * the function with the setting named, before any call is answered):
 * - CDS_JWT_VERIFICATION, CDS_TRUSTED_ISSUERS: see security-config.ts;
 * - CDS_PUBLIC_BASE_URL: the public URL the EHR calls (`https://cds.example.org`), from which each
 *   call's expected JWT audience is built. Required while verification is on; never taken from
 *   request headers, which the caller controls.
 */
export interface CdsConfig {
  security: SecurityConfig;
  publicBaseUrl?: string;
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL must be an absolute URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL must use https (http only for a loopback host)');
  }
  return value.replace(/\/+$/, '');
}

export function loadCdsConfig(env: Readonly<Record<string, string | undefined>> = process.env): CdsConfig {
  const security = loadSecurityConfig(env);
  const base = env.CDS_PUBLIC_BASE_URL?.trim();
  if (security.verification === 'on' && !base) {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL is required while CDS_JWT_VERIFICATION is on (it fixes the JWT audience)');
  }
  return { security, ...(base ? { publicBaseUrl: parseBaseUrl(base) } : {}) };
}
