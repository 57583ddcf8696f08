// Starts and drives a real scalingo-sandbox process for the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_TOKEN = 'tk-us-sandbox';

export interface SandboxOptions {
  /** Directory of the built dashboard; defaults to dist/. */
  dist?: string;
  /** Mount point of the dashboard, e.g. /tools/logs/. */
  distPath?: string;
  /** Extra command-line flags. */
  args?: string[];
}

/** A running sandbox: its base URL and its loopback-only admin API. */
export class Sandbox {
  private constructor(
    readonly url: string,
    private readonly proc: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const bin = process.env.SANDBOX_BIN ?? join(ROOT, 'target', 'release', 'scalingo-sandbox');
    const dir = mkdtempSync(join(tmpdir(), 'sld-sandbox-'));
    const args = [
      '--listen', '127.0.0.1:0',
      '--dist', options.dist ?? join(ROOT, 'dist'),
      '--csp',
      '--data', join(dir, 'state.json'),
      '--rate-limit', '0',
      '--log-rate', '1',
      '--ping-interval', '2',
      ...(options.distPath ? ['--dist-path', options.distPath] : []),
      ...(options.args ?? []),
    ];
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => fail(new Error(`sandbox did not start in 20 s:\n${out}\n${err}`)), 20_000);
      proc.stdout!.on('data', (chunk) => {
        out += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1].replace(/\/$/, ''));
        }
      });
      proc.stderr!.on('data', (chunk) => (err += chunk));
      proc.on('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`sandbox exited with ${code}:\n${out}\n${err}`));
      });
    });
    return new Sandbox(url, proc, dir);
  }

  /** The dashboard's URL, optionally with a route fragment such as `#/apps/example-app/logs`. */
  dashboard(fragment = '', distPath = '/'): string {
    return `${this.url}${distPath}${fragment}`;
  }

  async admin(path: string, body: unknown = {}): Promise<any> {
    const res = await fetch(`${this.url}/_sandbox/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`admin ${path}: HTTP ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }

  /** Restores the demo world's drains and clears every fault. */
  reset(): Promise<unknown> {
    return this.admin('reset');
  }

  /** Injects faults: drop_streams, delay_ms, fail_next (optionally by method and path), refuse_websocket, auth_down, malformed_addons. */
  faults(body: Record<string, unknown>): Promise<unknown> {
    return this.admin('faults', body);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((ok) => this.proc.once('exit', ok));
      this.proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
