// A Dockerfile read into stages and instructions, and the invariants the image must keep. No Docker
// engine runs in CI, so the file itself is checked: a stage that grew a compiler, a CMD back on ts-node
// or a data folder the user cannot write is caught here rather than at a customer's first start.

export type Instruction = { keyword: string; args: string };
export type Stage = { image: string; name: string | undefined; instructions: Instruction[] };

/** Stages in order; continuation lines joined, comments and blank lines dropped. */
export const parseDockerfile = (text: string): Stage[] => {
  const logical = text
    .replace(/\\\r?\n(\s*#.*\r?\n)*/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ image: from?.[1] ?? args, name: from?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
};

const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** A JSON exec-form argument list (`["node", "x.js"]`), or the shell form split on blanks. */
const words = (args: string): string[] => {
  if (args.startsWith('[')) return JSON.parse(args) as string[];
  return args.split(/\s+/);
};

/** The value an ENV instruction of the stage gives `name` (both `A=1 B=2` and `A 1` forms). */
export const envValue = (stage: Stage, name: string): string | undefined => {
  let value: string | undefined;
  for (const args of all(stage, 'ENV')) {
    const pairs = args.includes('=') ? args.split(/\s+/).map((p) => p.split('=')) : [args.split(/\s+(.*)/)];
    for (const [key, v] of pairs) if (key === name) value = v;
  }
  return value;
};

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const COMPILERS = /(?<![\w.-])(g\+\+|gcc|make|python3?|build-essential|clang)(?![\w.+-])/;

type Check = (stages: Stage[]) => string | undefined;

/** Each invariant: undefined when kept, else what is wrong. The last stage is the image that runs. */
export const dockerfileInvariants: Record<string, Check> = {
  'has a build stage and a runtime stage': (stages) => (stages.length >= 2 ? undefined : `${stages.length} stage(s)`),

  'runs on a supported Node LTS (22 or 24, not latest), the same image as the build stage': (stages) => {
    const runtime = stages.at(-1);
    if (!runtime || !/^node:(22|24)([.-]|$)/.test(runtime.image)) return `runtime image ${runtime?.image}`;
    // better-sqlite3 is compiled in the build stage for that Node's ABI and copied over
    const builder = stages.find((s) => s !== runtime && all(s, 'RUN').some((r) => /\bnpm (ci|install)\b/.test(r)));
    return builder?.image === runtime.image ? undefined : `build ${builder?.image}, runtime ${runtime.image}`;
  },

  'the runtime stage has no compilers and starts from an image, not from the build stage': (stages) => {
    const runtime = stages.at(-1) as Stage;
    if (stages.some((s) => s !== runtime && s.name === runtime.image)) return `FROM ${runtime.image}`;
    const installs = all(runtime, 'RUN').filter((r) => /apt-get install|apk add/.test(r) && COMPILERS.test(r));
    return installs.length === 0 ? undefined : `installs ${installs.join('; ')}`;
  },

  'the runtime stage copies the built dist/ and pruned production dependencies': (stages) => {
    const runtime = stages.at(-1) as Stage;
    const copies = all(runtime, 'COPY').filter((c) => c.startsWith('--from='));
    const from = (path: string) => copies.find((c) => c.split(/\s+/)[1]?.replace(/\/$/, '').endsWith(path));
    const dist = from('/dist');
    const modules = from('/node_modules');
    if (!dist || !modules) return `copies: ${copies.join('; ') || 'none from another stage'}`;
    const source = stages.find((s) => `--from=${s.name}` === modules.split(/\s+/)[0]);
    const pruned = source && all(source, 'RUN').some((r) => /npm (prune|ci|install)\b.*--omit=dev/.test(r));
    return pruned ? undefined : 'node_modules copied from a stage that did not omit dev dependencies';
  },

  'runs as a user that is not root': (stages) => {
    const user = all(stages.at(-1) as Stage, 'USER').at(-1);
    return user !== undefined && !/^(root|0)(:|$)/.test(user) ? undefined : `USER ${user}`;
  },

  'creates the data folder and gives it to that user before switching to it': (stages) => {
    const runtime = stages.at(-1) as Stage;
    const dataDir = envValue(runtime, 'DATA_DIR');
    const userAt = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    const user = runtime.instructions[userAt]?.args.split(':')[0];
    if (!dataDir || !user) return `DATA_DIR ${dataDir}, USER ${user}`;
    const before = runtime.instructions.slice(0, userAt).filter((i) => i.keyword === 'RUN');
    const made = before.some((r) => new RegExp(`mkdir (-p )?(\\S+ )*${escaped(dataDir)}\\b`).test(r.args));
    const owned = before.some((r) =>
      new RegExp(`chown (-R )?${escaped(user)}(:\\S+)? (\\S+ )*${escaped(dataDir)}\\b`).test(r.args),
    );
    const volumes = all(runtime, 'VOLUME').map((v) => words(v).join(' '));
    if (volumes.some((v) => v !== dataDir)) return `VOLUME ${volumes.join(', ')} is not DATA_DIR ${dataDir}`;
    return made && owned ? undefined : `${dataDir}: made ${made}, owned by ${user} ${owned}`;
  },

  'checks its health with node against /health and exposes its port': (stages) => {
    const runtime = stages.at(-1) as Stage;
    const check = all(runtime, 'HEALTHCHECK').at(-1);
    const command = check?.slice(check.search(/\bCMD\b/) + 3).trim();
    if (!command || words(command)[0] !== 'node' || !command.includes('/health')) return `HEALTHCHECK ${check}`;
    const port = envValue(runtime, 'PORT');
    return port !== undefined && all(runtime, 'EXPOSE').some((e) => e.split(/\s+/).includes(port))
      ? undefined
      : `EXPOSE ${all(runtime, 'EXPOSE').join(', ')} beside PORT ${port}`;
  },

  'starts the compiled backbone with node itself, not ts-node': (stages) => {
    const cmd = all(stages.at(-1) as Stage, 'CMD').at(-1);
    if (!cmd?.startsWith('[')) return `CMD ${cmd} (exec form keeps node as PID 1, reached by SIGTERM)`;
    const [program, script, ...rest] = words(cmd);
    return program === 'node' && script === 'dist/main/main.js' && !rest.some((a) => a.includes('ts-node'))
      ? undefined
      : `CMD ${cmd}`;
  },
};
