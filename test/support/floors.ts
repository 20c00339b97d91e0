/**
 * The floors of the house: which room may import which. Dependencies point one way —
 * `cli/` → `local/` → `functions/`, and inside `functions/`: handlers → core/report → core/drill →
 * core/measure → shared — so the Lambda bundles stay small and the measurement engine stands alone.
 * Handlers share one floor but never import each other: what two handlers need lives in the core.
 * Imports are read with es-module-lexer (the lexer Vite uses), type-only imports included: a type
 * pulled from a higher room couples the two as much as a value does.
 */
import { dirname, join, normalize } from 'node:path';
import { init, parse } from 'es-module-lexer';

/** Lowest first: a file may import its own floor or any floor below it. */
export const FLOORS = [
  { name: 'functions/shared', holds: (path: string) => path.startsWith('functions/shared/') },
  { name: 'functions/core/measure', holds: (path: string) => path.startsWith('functions/core/measure/') },
  { name: 'functions/core/drill', holds: (path: string) => path.startsWith('functions/core/drill/') },
  { name: 'functions/core/report', holds: (path: string) => path.startsWith('functions/core/report/') },
  { name: 'functions (handlers)', holds: (path: string) => path.startsWith('functions/') },
  { name: 'local', holds: (path: string) => path.startsWith('local/') },
  { name: 'cli', holds: (path: string) => path.startsWith('cli/') },
] as const;

/**
 * Tests and fixtures are not bundled, so besides their own floor they may use the harness — the suite's
 * helpers (`test/`) and the local cloud's Lambda runtime (`local/lambda/`, the context a handler is
 * invoked with) — but never a higher core room or `cli/`. Product code uses neither.
 */
const isTest = (path: string) => /\.(test|fixture)\.ts$/.test(path);
const isTestSupport = (path: string) => path.startsWith('test/');
const isLambdaHarness = (path: string) => path.startsWith('local/lambda/');

export interface SourceFile {
  /** Repo-relative, forward slashes. */
  path: string;
  source: string;
}

export interface FloorViolation {
  file: string;
  import: string;
  message: string;
}

/** The handler folder a path lies in (`functions/<name>/`, neither core nor shared), if any. */
function handlerOf(path: string): string | undefined {
  const name = /^functions\/([^/]+)\//.exec(path)?.[1];
  return name === undefined || name === 'core' || name === 'shared' ? undefined : name;
}

function floorOf(path: string): number {
  return FLOORS.findIndex((floor) => floor.holds(path));
}

/** Resolves a relative specifier the way NodeNext does for this repo (`./x.js` names `./x.ts`). */
function resolveRelative(from: string, specifier: string): string {
  return normalize(join(dirname(from), specifier)).replace(/\.js$/, '.ts');
}

export async function floorViolations(files: SourceFile[]): Promise<FloorViolation[]> {
  await init;
  const violations: FloorViolation[] = [];
  for (const file of files) {
    const floor = floorOf(file.path);
    if (floor < 0) continue; // bench/, test/, bin/: outside the house, free to use any room
    const [imports] = parse(file.source, file.path);
    for (const entry of imports) {
      const specifier = entry.n;
      if (!specifier?.startsWith('.')) continue; // packages and node: builtins
      const target = resolveRelative(file.path, specifier);
      if (isTestSupport(target)) {
        if (!isTest(file.path))
          violations.push({
            file: file.path,
            import: specifier,
            message: `${file.path} imports ${specifier}: test helpers are for tests, not for product code`,
          });
        continue;
      }
      const targetFloor = floorOf(target);
      if (isTest(file.path) && isLambdaHarness(target)) continue;
      if (targetFloor < 0)
        violations.push({
          file: file.path,
          import: specifier,
          message: `${file.path} imports ${specifier}, outside every room (${target})`,
        });
      else if (targetFloor > floor)
        violations.push({
          file: file.path,
          import: specifier,
          message: `${file.path} (${FLOORS[floor]?.name}) imports ${specifier} from ${FLOORS[targetFloor]?.name}, a floor above it`,
        });
      else if (handlerOf(file.path) && handlerOf(target) && handlerOf(target) !== handlerOf(file.path))
        violations.push({
          file: file.path,
          import: specifier,
          message: `${file.path} imports ${specifier} from the ${handlerOf(target)} handler: a handler never imports another handler, what both need lives in the core`,
        });
    }
  }
  return violations;
}
