// A single-node KRaft Apache Kafka broker on loopback, for tests, the demo and local use.
// Fresh data directory per start unless asked to keep it (restarts in fault tests keep it), logs in a
// file, readiness awaited by asking the broker for metadata, clean stop (SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { brokerAnswers } from '../kafka/admin.js';
import { ensureKafkaDist, type KafkaDist } from './kafka-dist.js';
import { cacheDir } from './paths.js';

export class BrokerError extends Error {
  override name = 'BrokerError';
}

export interface BrokerOptions {
  /** Client port on 127.0.0.1 (default 9092). */
  port?: number;
  /** Controller port (default port + 1). */
  controllerPort?: number;
  /** Data, config and log folder (default <cache>/broker-<port>). */
  dir?: string;
  /** Keep existing data (a restart); default false = wipe and format. */
  keepData?: boolean;
  /** Detach the JVM so it outlives this process (the CLI's `broker start`). */
  detached?: boolean;
  heapMb?: number;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface BrokerState {
  pid: number;
  port: number;
  controllerPort: number;
  dir: string;
  bootstrapServers: string;
  logFile: string;
}

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://localhost:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    // Topics are created explicitly, as in production.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

async function runJava(dist: KafkaDist, args: string[], logFile: string): Promise<void> {
  const fd = openSync(logFile, 'a');
  try {
    const code = await new Promise<number>((res, rej) => {
      const c = spawn(javaBin(), ['-cp', join(dist.libDir, '*'), ...args], { stdio: ['ignore', fd, fd] });
      c.on('error', (e) => rej(new BrokerError(`cannot run java: ${e.message}. Install a JDK 17: sudo apt-get install -y openjdk-17-jdk-headless`)));
      c.on('close', (x) => res(x ?? 1));
    });
    if (code !== 0) throw new BrokerError(`${args[0]} failed (exit ${code}); see ${logFile}:\n${tail(logFile)}`);
  } finally {
    closeSync(fd);
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export class LocalBroker {
  private constructor(
    readonly state: BrokerState,
    private child: ChildProcess | undefined,
    private readonly options: BrokerOptions,
  ) {}

  get bootstrapServers(): string {
    return this.state.bootstrapServers;
  }

  static async start(options: BrokerOptions = {}): Promise<LocalBroker> {
    const log = options.log ?? (() => {});
    const port = options.port ?? 9092;
    const controllerPort = options.controllerPort ?? port + 1;
    const dir = options.dir ?? join(cacheDir(), `broker-${port}`);
    const dataDir = join(dir, 'data');
    const logFile = join(dir, 'server.log');
    const bootstrapServers = `localhost:${port}`;
    const dist = await ensureKafkaDist(log);

    if (await brokerAnswers(bootstrapServers, 1000)) {
      throw new BrokerError(`something already answers as a Kafka broker on ${bootstrapServers}`);
    }
    if (!options.keepData || !existsSync(join(dataDir, 'meta.properties'))) {
      mkdirSync(dir, { recursive: true }); // first start on this port: nothing there yet
      writeFileSync(join(dir, 'server.properties'), serverProperties(port, controllerPort, dataDir));
      // Formatting a fresh directory is idempotent: one retry rides out a JVM that failed to start (seen once
      // in CI under heavy load); the second failure is reported with the tool's output.
      for (let attempt = 1; ; attempt++) {
        rmSync(dataDir, { recursive: true, force: true });
        mkdirSync(dataDir, { recursive: true });
        try {
          await runJava(
            dist,
            ['kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', join(dir, 'server.properties')],
            join(dir, 'format.log'),
          );
          break;
        } catch (err) {
          if (attempt >= 2) throw err;
          log(`kafka storage format failed, retrying: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }

    const out = openSync(logFile, 'a');
    const child = spawn(
      javaBin(),
      [
        `-Xmx${options.heapMb ?? 512}m`,
        `-Xms${Math.min(options.heapMb ?? 512, 256)}m`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${dist.log4jConfig}`,
        `-Dkafka.logs.file=${logFile}`,
        '-cp',
        join(dist.libDir, '*'),
        'kafka.Kafka',
        join(dir, 'server.properties'),
      ],
      { stdio: ['ignore', out, out], detached: options.detached ?? false },
    );
    closeSync(out);
    if (options.detached) child.unref();
    const state: BrokerState = { pid: child.pid ?? -1, port, controllerPort, dir, bootstrapServers, logFile };
    const broker = new LocalBroker(state, child, options);
    let exited: number | null | undefined;
    child.on('exit', (code) => (exited = code));

    const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
    while (!(await brokerAnswers(bootstrapServers, 2000))) {
      if (exited !== undefined) throw new BrokerError(`Kafka broker exited (code ${exited}) before it was ready:\n${tail(logFile)}`);
      if (Date.now() > deadline) {
        await broker.stop();
        throw new BrokerError(`Kafka broker not ready on ${bootstrapServers} after ${options.readyTimeoutMs ?? 90_000} ms; log: ${logFile}\n${tail(logFile)}`);
      }
      await sleep(250);
    }
    writeFileSync(join(dir, 'broker.json'), JSON.stringify(state, null, 2));
    log(`Kafka broker ready on ${bootstrapServers} (pid ${state.pid}, log ${logFile})`);
    return broker;
  }

  /** Stops the JVM: SIGTERM (clean shutdown), SIGKILL after timeoutMs. */
  async stop(timeoutMs = 30_000): Promise<void> {
    await stopPid(this.state.pid, timeoutMs);
    this.child = undefined;
    rmSync(join(this.state.dir, 'broker.json'), { force: true });
  }

  /** Stop and start again on the same port with the same data (for restart tests). */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await sleep(downMs);
    const again = await LocalBroker.start({ ...this.options, port: this.state.port, dir: this.state.dir, keepData: true });
    Object.assign(this.state, again.state);
    this.child = again.child;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopPid(pid: number, timeoutMs = 30_000): Promise<void> {
  if (pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  // Reap: a killed child of ours stays a zombie (and "alive") until Node notices its exit.
  while (alive(pid) && Date.now() < deadline + 5000) await sleep(50);
}

/** The state a detached broker left behind (CLI `broker stop|status`). */
/** Whether the broker of this port (default data directory) has data from an earlier run. */
export function hasBrokerData(port = 9092, dir?: string): boolean {
  return existsSync(join(dir ?? join(cacheDir(), `broker-${port}`), 'data', 'meta.properties'));
}

export function readBrokerState(port = 9092, dir?: string): BrokerState | undefined {
  const file = join(dir ?? join(cacheDir(), `broker-${port}`), 'broker.json');
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as BrokerState;
  return alive(state.pid) ? state : undefined;
}

export async function stopDetachedBroker(port = 9092, dir?: string): Promise<BrokerState | undefined> {
  const state = readBrokerState(port, dir);
  if (!state) return undefined;
  await stopPid(state.pid);
  rmSync(join(state.dir, 'broker.json'), { force: true });
  return state;
}
