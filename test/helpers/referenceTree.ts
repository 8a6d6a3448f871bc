// A reference implementation of the include tree, for tests only: the first, straightforward
// version of buildConfigTree, which makes a node for every directive of every inclusion as it
// reads them. The engine's tree is a set of scopes over parse records with nodes made on demand;
// the two must agree node for node (test/unit/engine-reference.test.ts). It uses the engine's
// exported pieces (parse, resolveInclude, the context helpers), not its tree.
import type { Directive } from '../../server/src/core/parser/ast';
import { parse } from '../../server/src/core/parser/parser';
import type { ConfigFileSystem } from '../../server/src/core/model/fileSystem';
import {
  annotatedContext,
  contextOfBlock,
  inferContext,
  resolveInclude,
  type ContextName,
  type IncludeResolution,
} from '../../server/src/core/model/tree';

export interface ReferenceNode {
  readonly directive: Directive;
  readonly file: string;
  readonly context: ContextName;
  readonly via: ReferenceNode | undefined;
  include: IncludeResolution | undefined;
  readonly children: ReferenceNode[];
}

export interface ReferenceTree {
  readonly rootContext: ContextName;
  readonly children: readonly ReferenceNode[];
  readonly files: readonly string[];
  readonly inclusions: ReadonlyMap<string, readonly { context: ContextName; via: ReferenceNode | undefined }[]>;
  readonly includeProblems: readonly { node: ReferenceNode; message: string }[];
}

export function referenceTree(
  rootFile: string,
  fs: ConfigFileSystem,
  options: {
    baseDir: string;
    rootContext?: ContextName;
    pathMappings?: Readonly<Record<string, string>>;
    maxDepth?: number;
  },
): ReferenceTree {
  const maxDepth = options.maxDepth ?? 32;
  const parsed = new Map<string, ReturnType<typeof parse>>();
  const inclusions = new Map<string, { context: ContextName; via: ReferenceNode | undefined }[]>();
  const includeProblems: { node: ReferenceNode; message: string }[] = [];
  const load = (file: string): ReturnType<typeof parse> | undefined => {
    if (parsed.has(file)) return parsed.get(file);
    const text = fs.readFile(file);
    if (text === undefined) return undefined;
    const result = parse(text, file);
    parsed.set(file, result);
    return result;
  };
  const include = (file: string, context: ContextName, via: ReferenceNode | undefined): void => {
    inclusions.set(file, [...(inclusions.get(file) ?? []), { context, via }]);
  };

  const root = load(rootFile);
  let rootContext = options.rootContext;
  if (!rootContext && root) rootContext = annotatedContext(root.comments) ?? inferContext(root.directives);
  rootContext ??= 'main';
  include(rootFile, rootContext, undefined);
  const active = [fs.canonical(rootFile)];

  const expand = (
    directives: readonly Directive[],
    file: string,
    context: ContextName,
    via: ReferenceNode | undefined,
    out: ReferenceNode[],
  ): void => {
    for (const directive of directives) {
      const own = directive.block ? contextOfBlock(directive.name) : context;
      const node: ReferenceNode = { directive, file, context: own, via, include: undefined, children: [] };
      out.push(node);
      if (directive.name === 'include' && !directive.block && context !== 'map') {
        const pattern = directive.args[0]?.value;
        if (pattern === undefined) continue;
        const resolution = resolveInclude(pattern, options.baseDir, fs, options.pathMappings ?? {});
        node.include = resolution;
        if (resolution.problem) includeProblems.push({ node, message: resolution.problem });
        for (const included of resolution.files) {
          const canonical = fs.canonical(included);
          if (active.includes(canonical)) {
            includeProblems.push({
              node,
              message: `"${included}" includes itself (through ${active.length} level(s)): nginx would loop.`,
            });
          } else if (active.length >= maxDepth) {
            includeProblems.push({
              node,
              message: `Includes nest deeper than ${maxDepth} levels; "${included}" was not read.`,
            });
          } else {
            const file = load(included);
            if (!file) {
              includeProblems.push({ node, message: `Cannot read "${included}".` });
              continue;
            }
            include(included, context, node);
            active.push(canonical);
            expand(file.directives, included, context, node, out);
            active.pop();
          }
        }
      } else if (directive.block && own !== 'map') {
        expand(directive.block.children, file, own, undefined, node.children);
      }
    }
  };

  const children: ReferenceNode[] = [];
  if (root) expand(root.directives, rootFile, rootContext, undefined, children);
  return { rootContext, children, files: [...parsed.keys()], inclusions, includeProblems };
}
