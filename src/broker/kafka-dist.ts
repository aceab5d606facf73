// Resolves Apache Kafka's broker jars from Maven Central into the cache folder, once.
// Maven does the resolution (scripts/kafka/pom.xml pins the version and the logging backend).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../native/addon.js';
import { cacheDir } from './paths.js';

export class KafkaDistError extends Error {
  override name = 'KafkaDistError';
}

export interface KafkaDist {
  version: string;
  libDir: string;
  log4jConfig: string;
}

const pomPath = join(packageRoot, 'scripts', 'kafka', 'pom.xml');
const log4jPath = join(packageRoot, 'scripts', 'kafka', 'log4j2.properties');

export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, 'utf8'));
  if (!m?.[1]) throw new KafkaDistError(`cannot read kafka.version from ${pomPath}`);
  return m[1];
}

function distDir(version: string): string {
  return join(cacheDir(), `kafka-${version}`);
}

/** The resolved distribution, or undefined when it has not been fetched yet. */
export function findKafkaDist(): KafkaDist | undefined {
  const version = kafkaVersion();
  const dir = distDir(version);
  const libDir = join(dir, 'libs');
  if (!existsSync(join(dir, '.complete'))) return undefined;
  return { version, libDir, log4jConfig: join(dir, 'log4j2.properties') };
}

/** Fetches the jars with Maven if they are not cached yet. `log` receives progress lines. */
export async function ensureKafkaDist(log: (line: string) => void = () => {}): Promise<KafkaDist> {
  const found = findKafkaDist();
  if (found) return found;
  const version = kafkaVersion();
  const dir = distDir(version);
  mkdirSync(dir, { recursive: true });
  copyFileSync(pomPath, join(dir, 'pom.xml'));
  copyFileSync(log4jPath, join(dir, 'log4j2.properties'));
  log(`resolving Apache Kafka ${version} from Maven Central into ${dir} (first use only)`);
  const logFile = join(dir, 'mvn.log');
  const code = await new Promise<number>((resolvePromise, reject) => {
    const child = spawn(
      'mvn',
      ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(dir, 'libs')}`],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', (err) =>
      reject(new KafkaDistError(`cannot run Maven (mvn): ${err.message}. Install it: sudo apt-get install -y maven`)),
    );
    child.on('close', (c) => {
      writeFileSync(logFile, Buffer.concat(out));
      resolvePromise(c ?? 1);
    });
  });
  if (code !== 0) throw new KafkaDistError(`Maven could not resolve Kafka ${version}; see ${logFile}`);
  const jars = readdirSync(join(dir, 'libs')).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith('kafka_2.13-'))) throw new KafkaDistError(`no kafka_2.13 jar in ${dir}/libs`);
  writeFileSync(join(dir, '.complete'), `${jars.length} jars\n`);
  log(`resolved ${jars.length} jars`);
  return { version, libDir: join(dir, 'libs'), log4jConfig: join(dir, 'log4j2.properties') };
}
