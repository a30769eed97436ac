import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly node: string;
  /** 1-minute load average when the run started and ended: high values explain noisy figures. */
  readonly loadAverage: { start: number; end?: number };
  readonly gitCommit?: string;
  /** Whether the working tree had uncommitted changes, so a figure is not tied to a commit it did not run. */
  readonly gitDirty?: boolean;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverage: { start: os.loadavg()[0] ?? Number.NaN },
    ...gitState(),
  };
}

export function currentLoad(): number {
  return os.loadavg()[0] ?? Number.NaN;
}

/** What every bench's results start with: when it ended, how long it ran, the machine and its load at the end. */
export function runRecord(
  startedMs: number,
  machine: MachineInfo,
): { date: string; durationSeconds: number; machine: MachineInfo } {
  return {
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - startedMs) / 1000,
    machine: { ...machine, loadAverage: { ...machine.loadAverage, end: currentLoad() } },
  };
}

function gitState(): { gitCommit?: string; gitDirty?: boolean } {
  try {
    const gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' });
    return { gitCommit, gitDirty: status.trim() !== '' };
  } catch {
    return {};
  }
}
