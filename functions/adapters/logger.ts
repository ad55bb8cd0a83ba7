import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The service's structured JSON logger (Powertools for AWS Lambda). Log lines carry rule ids,
 * counts, timings and status codes only: never facts, FHIR resources, tokens or error messages
 * that could quote input. Level from POWERTOOLS_LOG_LEVEL (default INFO).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'imatinib-sm-cds' });
