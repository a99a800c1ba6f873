/**
 * Fail on any import cycle (run by `deno task check`).
 *
 * Two graphs are checked, both built from Deno's own module graph (`deno info --json` on a root
 * that imports every `.ts` file of the given folders, so type-only and dynamic imports count):
 *
 * - modules: a file that (transitively) imports itself;
 * - concerns: the folders of `lib/` (`lib/fusion`, `lib/retrieval`, …), where folder A imports
 *   folder B when any file of A imports a file of B. A concern that depends on another must not be
 *   depended on by it: that is what keeps the layers of `lib/README.md` layers.
 *
 * Each cycle is printed as a path of imports (`a.ts → b.ts → a.ts`) and the exit code is 1.
 *
 *     deno run -A scripts/check-cycles.ts [DIR...]   # default: lib scripts bench tests
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A directed graph: node → the nodes it imports. */
export type ImportGraph = Map<string, Set<string>>;

/**
 * The strongly connected components with more than one node, or one node importing itself
 * (Tarjan's algorithm, iterative so deep graphs do not overflow the stack). Each component is
 * sorted; components are sorted by their first node.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const nodes = new Set<string>([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  for (const start of [...nodes].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; edges: string[]; at: number }[] = [];
    const visit = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: [...(graph.get(node) ?? [])].sort(), at: 0 });
    };
    visit(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.at < frame.edges.length) {
        const target = frame.edges[frame.at++];
        if (!index.has(target)) visit(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = graph.get(frame.node)?.has(frame.node) ?? false;
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One concrete cycle through `component`'s first node, as a path that ends where it starts. */
export function cyclePath(graph: ImportGraph, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = component[0];
  // Breadth-first from start back to start, staying inside the component: the shortest cycle.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(target)) continue;
      if (target === start) {
        const between: string[] = [];
        for (let at = node; at !== start; at = previous.get(at)!) between.unshift(at);
        return [start, ...between, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** The concern of a file under `lib/`: `lib/fusion/fuse.ts` → `lib/fusion`; root files stay whole. */
export function concernOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] !== "lib") return undefined;
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : path;
}

/** The folder-level graph of `lib/` derived from a module graph of repository-relative paths. */
export function concernGraph(modules: ImportGraph): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const [from, targets] of modules) {
    const a = concernOf(from);
    if (!a) continue;
    for (const to of targets) {
      const b = concernOf(to);
      if (!b || b === a) continue;
      if (!graph.has(a)) graph.set(a, new Set());
      graph.get(a)!.add(b);
    }
  }
  return graph;
}

async function* typeScriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && entry.name !== "node_modules" && entry.name !== "fixtures") {
      yield* typeScriptFiles(path);
    } else if (entry.isFile && /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      yield path;
    }
  }
}

/** The module graph of every `.ts` file under `dirs` (repository-relative paths), from `deno info`. */
export async function moduleGraph(root: string, dirs: readonly string[]): Promise<ImportGraph> {
  const files: string[] = [];
  for (const dir of dirs) for await (const file of typeScriptFiles(resolve(root, dir))) files.push(file);
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};`).join("\n"),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    const local = (specifier: string | undefined) => {
      if (!specifier?.startsWith("file:")) return undefined;
      const path = relative(root, fileURLToPath(specifier));
      return path.startsWith("..") || path.startsWith("node_modules") ? undefined : path;
    };
    const graph: ImportGraph = new Map();
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (!from) continue;
      const targets = new Set<string>();
      for (const dependency of module.dependencies ?? []) {
        for (const to of [local(dependency.code?.specifier), local(dependency.type?.specifier)]) {
          if (to) targets.add(to);
        }
      }
      graph.set(from, targets);
    }
    return graph;
  } finally {
    await Deno.remove(entry);
  }
}

if (import.meta.main) {
  const root = resolve(new URL("..", import.meta.url).pathname);
  const dirs = Deno.args.length > 0 ? Deno.args : ["lib", "scripts", "bench", "tests", "notebooks/lib"];
  const modules = await moduleGraph(root, dirs);
  const concerns = concernGraph(modules);
  const report = (kind: string, graph: ImportGraph) => {
    const cycles = importCycles(graph);
    for (const component of cycles) {
      console.error(`import cycle (${kind}): ${cyclePath(graph, component).join(" → ")}`);
    }
    return cycles.length;
  };
  const found = report("modules", modules) + report("lib concerns", concerns);
  if (found > 0) {
    console.error(`${found} import cycle(s); see scripts/check-cycles.ts`);
    Deno.exit(1);
  }
  console.log(`no import cycles (${modules.size} modules, ${concerns.size} lib concerns)`);
}
