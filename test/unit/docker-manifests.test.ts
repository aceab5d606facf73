// docker/: no container engine runs here, so the manifests are checked statically:
//   - k8s YAML parses and validates against the Kubernetes API schema (kubernetes-models, generated from the
//     Kubernetes OpenAPI spec), and is internally consistent (GPU limit, non-root, ConfigMap keys mounted at
//     /config, env used in args); the config files embedded in the ConfigMap parse with ds-kafka's parsers;
//   - compose.yaml references files that exist, uses apache/kafka:4.1.1 with health-based depends_on;
//   - every Dockerfile COPY source (from the build context) exists, and every CLI command/flag used by the
//     Dockerfiles, compose.yaml and the StatefulSet is defined in src/cli.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { parseConnStr, parseKafkaConfig } from '../../src/config/kafka-config.js';
import { parseMsgconvConfig } from '../../src/config/msgconv-config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const docker = join(root, 'docker');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

// ---- Kubernetes -----------------------------------------------------------------------------------------

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap as never,
  'v1/Service': Service as never,
  'apps/v1/StatefulSet': StatefulSet as never,
};

function k8sObjects(): Array<{ file: string; obj: K8sObject }> {
  const out: Array<{ file: string; obj: K8sObject }> = [];
  for (const f of readdirSync(join(docker, 'k8s')).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const docs = parseAllDocuments(readFileSync(join(docker, 'k8s', f), 'utf8'));
    for (const d of Array.isArray(docs) ? docs : [docs]) {
      expect(d.errors, `${f}: YAML errors`).toEqual([]);
      const obj = d.toJS() as K8sObject | null;
      if (obj) out.push({ file: f, obj });
    }
  }
  return out;
}

const objects = k8sObjects();
const byKind = (kind: string) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);

describe('docker/k8s', () => {
  it('has the ConfigMap, the StatefulSet and its headless Service', () => {
    expect(objects.map((o) => `${o.file}:${o.obj.kind}`).sort()).toEqual([
      'configmap.yaml:ConfigMap',
      'statefulset.yaml:Service',
      'statefulset.yaml:StatefulSet',
    ]);
  });

  for (const { file, obj } of objects) {
    it(`${file} ${obj.kind}/${obj.metadata?.name} validates against the Kubernetes API schema`, () => {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect(Model, `no schema model for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
      expect(() => new Model!(obj as never).validate()).not.toThrow();
    });
  }

  it('the schema check does catch mistakes (a string where an object belongs)', () => {
    const sts = structuredClone(byKind('StatefulSet')[0]!) as any;
    sts.spec.template.spec.containers[0].resources = 'lots';
    expect(() => new StatefulSet(sts).validate()).toThrow(/resources/);
  });

  const sts = byKind('StatefulSet')[0] as any;
  const cm = byKind('ConfigMap')[0] as any;
  const container = sts.spec.template.spec.containers[0];

  it('one GPU per pod, requests <= limits, non-root, no privilege escalation, all capabilities dropped', () => {
    expect(container.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(container.resources.requests['nvidia.com/gpu'] ?? '1').toBe('1');
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    const pod = sts.spec.template.spec.securityContext;
    expect(pod.runAsNonRoot).toBe(true);
    expect(pod.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(container.livenessProbe).toBeDefined();
  });

  it('liveness and readiness probe /healthz and /readyz on the port ds-kafka serves (--http-port, on the pod IP)', () => {
    const args = container.args as string[];
    const port = Number(args[args.indexOf('--http-port') + 1]);
    expect(port).toBeGreaterThan(0);
    expect(args[args.indexOf('--http-host') + 1]).toBe('0.0.0.0'); // the kubelet probes the pod IP
    const named = container.ports.find((p: any) => p.name === 'http');
    expect(named.containerPort).toBe(port);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.exec).toBeUndefined(); // no more nvidia-smi -L
    const svc = byKind('Service')[0] as any;
    expect(svc.spec.ports[0]).toMatchObject({ name: 'http', port, targetPort: 'http' });
    expect(sts.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
    expect(sts.spec.template.metadata.annotations['prometheus.io/path']).toBe('/metrics');
  });

  it('selector, labels and serviceName agree', () => {
    const svc = byKind('Service')[0] as any;
    expect(sts.spec.serviceName).toBe(svc.metadata.name);
    expect(svc.spec.clusterIP).toBe('None');
    for (const [k, v] of Object.entries(sts.spec.selector.matchLabels)) {
      expect(sts.spec.template.metadata.labels[k]).toBe(v);
      expect(svc.spec.selector[k]).toBe(v);
    }
  });

  it('the ConfigMap is mounted at /config with the three config files the args use', () => {
    const volume = sts.spec.template.spec.volumes.find((v: any) => v.configMap);
    expect(volume.configMap.name).toBe(cm.metadata.name);
    const mount = container.volumeMounts.find((m: any) => m.name === volume.name);
    expect(mount.mountPath).toBe('/config');
    expect(mount.readOnly).toBe(true);
    const paths = volume.configMap.items.map((i: any) => i.path).sort();
    expect(paths).toEqual(['cfg_kafka.txt', 'config_nvdsanalytics.txt', 'msgconv_config.txt']);
    for (const i of volume.configMap.items) expect(Object.keys(cm.data)).toContain(i.key);
    const configArgs = (container.args as string[]).filter((a) => a.startsWith('/config/'));
    expect(configArgs.length).toBe(3);
    for (const a of configArgs) expect(paths).toContain(a.slice('/config/'.length));
  });

  it('the broker comes from env KAFKA_CONN_STR (a ConfigMap key), and every $(VAR) in args is defined', () => {
    const env = new Map<string, any>(container.env.map((e: any) => [e.name, e]));
    expect(env.get('KAFKA_CONN_STR')?.valueFrom?.configMapKeyRef?.name).toBe(cm.metadata.name);
    expect(Object.keys(cm.data)).toContain(env.get('KAFKA_CONN_STR').valueFrom.configMapKeyRef.key);
    const args = container.args as string[];
    expect(args[args.indexOf('--conn-str') + 1]).toBe('$(KAFKA_CONN_STR)');
    for (const a of args) for (const m of a.matchAll(/\$\((\w+)\)/g)) expect(env.has(m[1]!), m[1]).toBe(true);
    for (const e of env.values()) {
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) expect(Object.keys(cm.data), e.name).toContain(ref.key);
    }
    expect(args).toContain('deepstream');
  });

  it('the files embedded in the ConfigMap parse with ds-kafka\'s own parsers', () => {
    const analytics = parseAnalyticsConfig(cm.data['config_nvdsanalytics.txt'], 'config_nvdsanalytics.txt');
    expect(analytics.config.streams[0]!.lines.map((l) => l.label)).toEqual(['straight']);
    const msgconv = parseMsgconvConfig(cm.data['msgconv_config.txt'], 'msgconv_config.txt');
    expect(msgconv.config.analyticsModule.id).toBe('XYZ');
    expect(msgconv.warnings).toEqual([]);
    expect(parseKafkaConfig(cm.data['cfg_kafka.txt'], 'cfg_kafka.txt').partitionKey).toBe('deviceId');
    expect(parseConnStr(cm.data['kafka-conn-str']).topic).toBe('ds-kafka');
  });
});

// ---- compose --------------------------------------------------------------------------------------------

const compose = parseYaml(readFileSync(join(docker, 'compose.yaml'), 'utf8')) as any;

describe('docker/compose.yaml', () => {
  it('single-node KRaft apache/kafka:4.1.1 with a healthcheck; topic created before ds-kafka starts', () => {
    const kafka = compose.services.kafka;
    expect(kafka.image).toBe('apache/kafka:4.1.1');
    expect(kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.healthcheck.test).toBeDefined();
    expect(compose.services['kafka-init'].image).toBe('apache/kafka:4.1.1');
    expect(compose.services['kafka-init'].command).toEqual(expect.arrayContaining(['--create', '--topic', 'ds-kafka']));
  });

  it('depends_on conditions are health- or completion-based and point at services that support them', () => {
    for (const [name, svc] of Object.entries<any>(compose.services)) {
      for (const [dep, cond] of Object.entries<any>(svc.depends_on ?? {})) {
        const target = compose.services[dep];
        expect(target, `${name} depends on unknown ${dep}`).toBeDefined();
        expect(['service_healthy', 'service_completed_successfully']).toContain(cond.condition);
        if (cond.condition === 'service_healthy') expect(target.healthcheck, `${dep} has no healthcheck`).toBeDefined();
      }
    }
    expect(compose.services['ds-kafka'].depends_on.kafka.condition).toBe('service_healthy');
  });

  it('builds from files that exist and runs the bundled sample with its config files', () => {
    const svc = compose.services['ds-kafka'];
    const context = join(docker, svc.build.context);
    expect(existsSync(join(context, svc.build.dockerfile))).toBe(true);
    const cmd = svc.command as string[];
    const files = cmd.filter((a) => /^(samples|config)\//.test(a));
    expect(files).toEqual(expect.arrayContaining(['samples/sample_720p.h264', 'samples/config_nvdsanalytics.txt']));
    for (const f of files) expect(existsSync(join(context, f)), f).toBe(true);
    const conn = cmd[cmd.indexOf('--conn-str') + 1]!;
    expect(parseConnStr(conn)).toMatchObject({ topic: 'ds-kafka' });
    expect(conn.split(';')[0]).toBe('kafka');
  });
});

describe('docker/compose.yaml: health', () => {
  for (const name of ['ds-kafka', 'ds-kafka-gpu']) {
    it(`${name}: the healthcheck asks /healthz on the --http-port it serves, published on loopback only`, () => {
      const svc = compose.services[name];
      const cmd = svc.command as string[];
      const port = cmd[cmd.indexOf('--http-port') + 1]!;
      expect(Number(port)).toBeGreaterThan(0);
      expect(cmd[cmd.indexOf('--http-host') + 1]).toBe('0.0.0.0');
      const test = svc.healthcheck.test as string[];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(test[3]).toContain(`http://127.0.0.1:${port}/healthz`);
      expect(() => new Function(test[3]!)).not.toThrow(); // valid JavaScript
      expect(svc.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    });
  }
});

// ---- Dockerfiles ----------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

function instructions(file: string): Instruction[] {
  const text = readFileSync(join(docker, file), 'utf8').replace(/\\\r?\n/g, ' ');
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

const dockerfiles = readdirSync(docker).filter((f) => f.startsWith('Dockerfile.')).sort();

describe('docker/Dockerfile.*', () => {
  it('cpu and deepstream are there', () => {
    expect(dockerfiles).toEqual(['Dockerfile.cpu', 'Dockerfile.deepstream']);
  });

  for (const f of dockerfiles) {
    it(`${f}: every COPY source from the build context exists (repository root)`, () => {
      const copies = instructions(f).filter((i) => i.op === 'COPY' && !/--from=/.test(i.args));
      expect(copies.length).toBeGreaterThan(3);
      for (const c of copies) {
        const words = c.args.split(/\s+/).filter((w) => !w.startsWith('--'));
        for (const src of words.slice(0, -1)) expect(existsSync(join(root, src)), `${f}: COPY ${src}`).toBe(true);
      }
    });

    it(`${f}: runs the CLI as a non-root user, multi-stage, npm ci without install scripts`, () => {
      const ins = instructions(f);
      expect(ins.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(2);
      const user = ins.filter((i) => i.op === 'USER').pop();
      expect(user?.args).toMatch(/^[1-9]\d*(:\d+)?$|^(?!root)[a-z]/);
      expect(ins.find((i) => i.op === 'ENTRYPOINT')?.args).toContain('/opt/ds-kafka/dist/cli/main.js');
      expect(existsSync(join(root, 'src/cli/main.ts'))).toBe(true);
      expect(ins.some((i) => i.op === 'RUN' && /npm ci --ignore-scripts/.test(i.args))).toBe(true);
      // The CPU image installs the project's package list; the DeepStream image its own (no kcat / Java, names
      // that exist on Ubuntu 20.04, 22.04 and 24.04).
      if (f === 'Dockerfile.cpu') expect(ins.some((i) => i.op === 'RUN' && /scripts\/setup-system\.sh/.test(i.args))).toBe(true);
    });
  }

  it('Dockerfile.cpu: Debian bookworm + Node 20', () => {
    const from = instructions('Dockerfile.cpu').filter((i) => i.op === 'FROM').map((i) => i.args);
    for (const f of from) expect(f).toMatch(/^node:20-bookworm/);
  });

  it('Dockerfile.deepstream: DeepStream development image to build, samples image to run, ON (not AUTO), Node 20', () => {
    const ins = instructions('Dockerfile.deepstream');
    const arg = (name: string) => ins.find((i) => i.op === 'ARG' && i.args.startsWith(`${name}=`))!.args.slice(name.length + 1);
    expect(arg('DS_VERSION')).toMatch(/^\d+\.\d+$/);
    expect(arg('DS_BUILD_IMAGE')).toBe('nvcr.io/nvidia/deepstream:${DS_VERSION}-triton-multiarch');
    expect(arg('DS_RUNTIME_IMAGE')).toBe('nvcr.io/nvidia/deepstream:${DS_VERSION}-samples-multiarch');
    const from = ins.filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(from).toContain('${DS_BUILD_IMAGE} AS build');
    expect(from).toContain('${DS_RUNTIME_IMAGE} AS runtime');
    expect(arg('NODE_IMAGE')).toMatch(/node:20-/);
    const build = ins.find((i) => i.op === 'RUN' && /cmake-js compile/.test(i.args))!.args;
    expect(build).toContain('--CDDS_KAFKA_DEEPSTREAM=ON');
    expect(build).toContain('libnvds_dskafka_msgconv.so');
  });

  it('Dockerfile.deepstream: builds on Ubuntu 20.04 / 22.04 / 24.04 bases (cmake >= 3.18, no kcat, resolved package names)', () => {
    const ins = instructions('Dockerfile.deepstream');
    const runs = ins.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs).not.toMatch(/\bkcat\b|kafkacat/);
    expect(runs).toMatch(/v\[2\] >= 18/); // cmake version test, pip fallback
    expect(runs).toMatch(/pip install .*'cmake>=3\.18/);
    // No release-specific runtime package names (libopencv-core4.5d is 22.04 only; 406t64 24.04; 4.2 20.04).
    expect(runs).not.toMatch(/libopencv-(core|imgproc|video|dnn)(4\.|406)/);
    // Every OpenCV module the top-level CMakeLists links is installed, for building and at run time.
    const cmake = read('CMakeLists.txt');
    for (const m of ['core', 'imgproc', 'video', 'dnn']) {
      if (!new RegExp(`opencv_${m}\\b`).test(cmake)) continue;
      expect(runs, `libopencv-${m}-dev`).toContain(`libopencv-${m}-dev`);
      expect(runs, `runtime libopencv-${m}`).toContain(`pick libopencv-${m} `);
    }
    expect(runs).toMatch(/apt-cache pkgnames/);
    // The pick() pattern finds each distribution's runtime package name.
    const pattern = /pick libopencv-core '([^']+)'/.exec(runs)![1]!;
    for (const name of ['libopencv-core4.2', 'libopencv-core4.5d', 'libopencv-core406t64']) {
      expect(new RegExp(`^libopencv-core${pattern}$`).test(name), name).toBe(true);
    }
    expect(new RegExp(`^libopencv-core${pattern}$`).test('libopencv-core-dev')).toBe(false);
  });

  it('Dockerfile.deepstream: LD_LIBRARY_PATH appended, NVIDIA entrypoint kept, engine folder writable', () => {
    const ins = instructions('Dockerfile.deepstream');
    const env = ins.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/LD_LIBRARY_PATH=\/opt\/nvidia\/deepstream\/deepstream\/lib\$\{LD_LIBRARY_PATH:\+:\$\{LD_LIBRARY_PATH\}\}/);
    const entry = JSON.parse(ins.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entry.slice(0, 3)).toEqual(['/usr/bin/tini', '--', '/opt/ds-kafka/docker/entrypoint.sh']);
    const script = readFileSync(join(docker, 'entrypoint.sh'), 'utf8');
    expect(script).toContain('/opt/nvidia/nvidia_entrypoint.sh "$@"');
    execFileSync('sh', ['-n', join(docker, 'entrypoint.sh')]);
    expect(ins.some((i) => i.op === 'RUN' && /chown -R dskafka:dskafka \/opt\/nvidia\/deepstream\/deepstream\/samples\/models\/Primary_Detector/.test(i.args))).toBe(true);
  });
});

describe('docker/k8s: live input, engine on a volume', () => {
  const sts = byKind('StatefulSet')[0] as any;
  const cm = byKind('ConfigMap')[0] as any;
  it('the StatefulSet runs a live (RTSP) input, not a file that ends and is re-published at every restart', () => {
    expect(cm.data['input-uri']).toMatch(/^rtsps?:\/\//);
  });
  it('the TensorRT engine lives on a per-pod volume mounted where nvinfer writes it, seeded by an init container', () => {
    const claim = sts.spec.volumeClaimTemplates.find((c: any) => c.metadata.name === 'engine-cache');
    expect(claim).toBeDefined();
    const dir = '/opt/nvidia/deepstream/deepstream/samples/models/Primary_Detector';
    const main = sts.spec.template.spec.containers[0];
    expect(main.volumeMounts).toContainEqual({ name: 'engine-cache', mountPath: dir });
    const init = sts.spec.template.spec.initContainers[0];
    expect(init.volumeMounts[0].name).toBe('engine-cache');
    expect(init.command.join(' ')).toContain(`cp -rn ${dir}/. ${init.volumeMounts[0].mountPath}/`);
    // The shipped nvinfer configs write their engine into that folder.
    for (const f of ['config_infer_primary.txt', 'config_infer_primary_ds6.txt']) {
      expect(read(`config/deepstream/${f}`)).toContain(`${dir}/`);
    }
  });
});

describe('docker/compose.yaml: GPU service', () => {
  it('the DeepStream service (profile gpu) reserves a GPU and keeps the engine in a named volume', () => {
    const svc = compose.services['ds-kafka-gpu'];
    expect(svc.profiles).toEqual(['gpu']);
    expect(svc.deploy.resources.reservations.devices[0].driver).toBe('nvidia');
    expect(svc.volumes).toContain('engine-cache:/opt/nvidia/deepstream/deepstream/samples/models/Primary_Detector');
    expect(Object.keys(compose.volumes)).toContain('engine-cache');
    expect(svc.command).toContain('deepstream');
  });
});

// ---- CLI commands and flags -----------------------------------------------------------------------------

const cliSources = (() => {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) out[join(dir, e.name)] = read(join(dir, e.name));
    }
  };
  walk('src/cli');
  return out;
})();
const allCli = Object.values(cliSources).join('\n');

/** [command, ...args] invocations of the CLI found in the manifests. */
function invocations(): Array<{ where: string; argv: string[] }> {
  const out: Array<{ where: string; argv: string[] }> = [];
  for (const [name, svc] of Object.entries<any>(compose.services)) {
    if (svc.build || svc.image?.startsWith('ds-kafka')) out.push({ where: `compose ${name}`, argv: svc.command });
  }
  out.push({ where: 'statefulset', argv: (byKind('StatefulSet')[0] as any).spec.template.spec.containers[0].args });
  for (const f of dockerfiles) {
    const cmd = instructions(f).find((i) => i.op === 'CMD');
    if (cmd) out.push({ where: f, argv: JSON.parse(cmd.args) });
  }
  return out;
}

function flagDefined(flag: string, source: string): boolean {
  const q = `['"]`;
  if (flag.startsWith('--no-')) return flagDefined(`--${flag.slice(5)}`, source);
  const name = flag.replace(/^-+/, '');
  if (flag.startsWith('--')) return new RegExp(`\\.option\\(\\s*${q}${name}${q}|\\.positional\\(\\s*${q}${name}${q}`).test(source);
  return new RegExp(`alias:\\s*(${q}${name}${q}|\\[[^\\]]*${q}${name}${q})`).test(source);
}

describe('CLI commands and flags used by the images and manifests exist in src/cli', () => {
  const runDefined = existsSync(join(root, 'src/cli/commands/run.ts'));
  for (const { where, argv } of invocations()) {
    const [command] = argv;
    const needsRun = command === 'run' && !runDefined;
    it.skipIf(needsRun)(`${where}: ${argv.join(' ')}`, () => {
      expect(allCli, `command "${command}"`).toMatch(new RegExp(`\\.command\\(\\s*['"]${command}['"]`));
      for (const a of argv.filter((x) => /^-{1,2}[A-Za-z]/.test(x))) expect(flagDefined(a, allCli), `${where}: flag ${a}`).toBe(true);
    });
  }
});

describe('docker/build.sh', () => {
  it('is valid bash and knows cpu, deepstream and all', () => {
    execFileSync('bash', ['-n', join(docker, 'build.sh')]);
    const text = readFileSync(join(docker, 'build.sh'), 'utf8');
    for (const w of ['cpu|deepstream|all', 'Dockerfile.cpu', 'Dockerfile.deepstream', 'DS_VERSION=', 'DS_BUILD_IMAGE=', 'DS_RUNTIME_IMAGE='])
      expect(text).toContain(w);
  });
});
