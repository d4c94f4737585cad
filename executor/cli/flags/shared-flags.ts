/** Flags several commands take, written once; a command may override the help with a spread. */
import { z } from 'zod';
import { ProgressModes } from '../../config/run-config.js';

export const S3_ENDPOINT_FLAG = {
  type: 'string',
  value: '<url>',
  help: 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (AWS_ENDPOINT_URL_S3 and the standard AWS variables also work)',
  readme: 'S3-compatible endpoint; `AWS_ENDPOINT_URL_S3` works too',
} as const;

export const REGION_FLAG = {
  type: 'string',
  value: '<name>',
  default: '`AWS_REGION`, else us-east-1',
  help: 'S3 region',
} as const;

export const PROGRESS_FLAG = {
  type: 'string',
  value: '<auto|bar|log|none>',
  default: '`auto`',
  schema: z.enum(ProgressModes, {
    error: (issue) => `expected one of ${ProgressModes.join(', ')}, got '${String(issue.input)}'`,
  }),
  help: 'a progress bar on a terminal, log lines otherwise, or none',
  readme: '`bar` on a terminal, `log` (a line every 5 s) otherwise, or `none`',
} as const;

export const WORKERS_FLAG = {
  type: 'string',
  short: 'w',
  value: '<n>',
  default: '1',
  help: 'worker processes',
} as const;

export const MAX_ATTEMPTS_FLAG = {
  type: 'string',
  value: '<n>',
  default: '3',
  help: 'attempts per partition before the job fails',
} as const;

export const WHITEN_FLAG = {
  type: 'boolean',
  help: 'scale each component to unit variance',
} as const;
