import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { CairnError, isCairnError, notFound } from '../../errors.js';
import { isUniqueViolation } from '../../db/database.js';
import type { PipelineSource, Schedule } from '../entities.js';
import type { ScheduleStore } from '../sql/schedule-store.js';
import { checkName } from '../step-definition.js';
import { checkCron, nextTick } from './cron.js';
import { recordedSource } from '../runtime/pipeline-loader.js';

export interface AddScheduleInput {
  name: string;
  pipelineName: string;
  source: PipelineSource;
  cron: string;
  timezone?: string;
  params?: Record<string, unknown>;
}

export interface ScheduleInfo extends Schedule {
  nextTickTime: number | null;
}

/** One fired tick of a schedule: the run it started, or why it could not. */
export interface ScheduleTick {
  tickTime: number;
  runId: string | null;
  firedTime: number;
  error: string | null;
}

/**
 * Cron schedules stored in the metadata database; `cairn scheduler` (or the server) fires them. A
 * schedule's pipeline file is stored as pipeline runs store theirs: relative to the project folder
 * when it is inside it, so the project can move and every machine finds it at the same place.
 */
export class ScheduleService {
  constructor(private readonly store: ScheduleStore, private readonly now: () => number = Date.now, private readonly projectDir: string = process.cwd()) {}

  async add(input: AddScheduleInput): Promise<ScheduleInfo> {
    const name = checkName(input.name, 'Schedule');
    const timezone = input.timezone ?? 'UTC';
    checkCron(input.cron, timezone);
    const file = isAbsolute(input.source.file) ? recordedSource(input.source.file, null, this.projectDir)!.file : input.source.file;
    try {
      await this.store.create({
        schedule_id: randomBytes(16).toString('hex'), name, pipeline_name: input.pipelineName, source_file: file,
        export_name: input.source.exportName, cron: input.cron.trim(), timezone, params: JSON.stringify(input.params ?? {}),
        enabled: 1, created_time: this.now(), last_tick_time: null,
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new CairnError('ALREADY_EXISTS', `Schedule '${name}' already exists; remove it first (cairn pipelines schedule remove ${name}).`);
      throw e;
    }
    return this.get(name);
  }

  async get(name: string): Promise<ScheduleInfo> {
    const s = await this.store.getByName(name);
    if (!s) throw notFound(`Schedule '${name}'`, 'List schedules with `cairn pipelines schedule list`.');
    return this.info(s);
  }

  async list(): Promise<ScheduleInfo[]> {
    return (await this.store.list()).map((s) => this.info(s));
  }

  async remove(name: string): Promise<void> {
    if (!(await this.store.delete(name))) throw notFound(`Schedule '${name}'`);
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleInfo> {
    if (!(await this.store.setEnabled(name, enabled))) throw notFound(`Schedule '${name}'`);
    return this.get(name);
  }

  async ticks(name: string, limit = 20): Promise<ScheduleTick[]> {
    const s = await this.get(name);
    return this.store.ticks(s.scheduleId, limit);
  }

  private info(s: Schedule): ScheduleInfo {
    let next: number | null = null;
    try {
      next = s.enabled ? nextTick(s.cron, s.timezone, this.now()) : null;
    } catch (e) {
      if (!isCairnError(e)) next = null;
    }
    return { ...s, nextTickTime: next };
  }
}
