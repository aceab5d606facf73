// A real RTSP "camera" for tests: test/helpers/rtsp-server.py (gst-rtsp-server through Debian's python3-gi
// and gir1.2-gst-rtsp-server-1.0, installed by scripts/setup-system.sh) run as a child process. It loops an
// H.264 file in real time at rtsp://127.0.0.1:<port>/cam. kill() takes the camera away, start() on the same
// port brings it back; pause()/resume() freeze it (SIGSTOP: the connection stays open, no frame comes).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

// Debian's interpreter: PyGObject and the GStreamer typelibs are its packages (a pyenv python has neither).
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(repoRoot, 'test', 'helpers', 'rtsp-server.py');

/** Throws with the packages to install when the server cannot run here. */
export function requireRtspServer(): void {
  const r = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`the test RTSP server needs ${PYTHON} with gst-rtsp-server: apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 (scripts/setup-system.sh)\n${r.stderr ?? r.error}`);
}

export class RtspServer {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(
    private readonly file: string,
    private readonly mount = '/cam',
  ) {}

  get url(): string {
    return `rtsp://127.0.0.1:${this.port}${this.mount}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts serving (on the last port again after a kill(); port 0 the first time = any free port). */
  async start(): Promise<this> {
    if (this.child) throw new Error('rtsp server already running');
    const child = spawn(PYTHON, [SCRIPT, '--file', this.file, '--port', String(this.port), '--mount', this.mount], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`rtsp server did not start within 20 s: ${stderr}`)), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /port=(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`rtsp server exited (${code}) before listening: ${stderr}`));
      });
    });
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    return this;
  }

  /** The camera goes away at once (SIGKILL: no RTSP teardown, connections reset). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  /** Frozen: the TCP connection stays open, no packet and no RTSP answer comes (a hung camera). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }
}
