/**
 * Encoding and parsing of one Delta commit file (newline-delimited JSON, one action per line).
 * A line we cannot parse, or a commit without our commitInfo, is refused with a code that
 * names the file: featurejob never builds on a log it does not understand.
 */
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import {
  AddActionSchema,
  CommitInfoActionSchema,
  type DeltaAction,
  ENGINE_INFO_PREFIX,
  MetaDataActionSchema,
  ProtocolActionSchema,
  RemoveActionSchema,
} from './delta-actions.js';

/** One action per line, in the order given; each line ends in '\n'. */
export function encodeDeltaCommit(actions: ReadonlyArray<Record<string, unknown>>): string {
  return actions.map((action) => `${JSON.stringify(action)}\n`).join('');
}

const SCHEMAS = {
  add: AddActionSchema,
  remove: RemoveActionSchema,
  protocol: ProtocolActionSchema,
  metaData: MetaDataActionSchema,
  commitInfo: CommitInfoActionSchema,
} as const;

/** Parses a commit file; throws FJ_TABLE_LOG_INVALID naming `uri` and the line. */
export function parseDeltaCommit(text: string, uri: string): DeltaAction[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, number) => {
    const where = `${uri} line ${number + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FeatureJobError('FJ_TABLE_LOG_INVALID', `${where} is not JSON`, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1)
      throw new FeatureJobError('FJ_TABLE_LOG_INVALID', `${where} is not one Delta action`);
    const [name, body] = Object.entries(value)[0] as [string, unknown];
    if (!(name in SCHEMAS)) return { kind: 'other', name };
    const parsed = SCHEMAS[name as keyof typeof SCHEMAS].safeParse(body);
    if (!parsed.success)
      throw new FeatureJobError('FJ_TABLE_LOG_INVALID', `${where}: ${name} ${z.prettifyError(parsed.error)}`);
    return { kind: name, [name]: parsed.data } as DeltaAction;
  });
}

/** The featurejob block of a commit's commitInfo; throws FJ_TABLE_FOREIGN_COMMIT when another writer made it. */
export function assertOwnCommit(actions: readonly DeltaAction[], uri: string): { planId: string; model: string } {
  const info = actions.find((action) => action.kind === 'commitInfo');
  const engine = info?.kind === 'commitInfo' ? info.commitInfo.engineInfo : undefined;
  const ours = info?.kind === 'commitInfo' ? info.commitInfo.featurejob : undefined;
  if (ours === undefined || engine === undefined || !engine.startsWith(ENGINE_INFO_PREFIX)) {
    throw new FeatureJobError(
      'FJ_TABLE_FOREIGN_COMMIT',
      `${uri} was not written by featurejob (engineInfo ${engine ?? 'absent'})`,
    );
  }
  const other = actions.find((action) => action.kind === 'other');
  if (other?.kind === 'other')
    throw new FeatureJobError('FJ_TABLE_FOREIGN_COMMIT', `${uri} holds a ${other.name} action featurejob never writes`);
  return ours;
}
