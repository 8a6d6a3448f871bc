/**
 * The editing features of the language server: completion, hover, outline, workspace symbols,
 * folding, go to definition, and document and range formatting. The logic is in core/features
 * and core/format (pure functions of the parse and the model); this file converts to LSP.
 *
 * Every request reads the document's current parse (the shared ParseCache: no reparse when the
 * text is unchanged) and the server's last analysis of it for what comes from includes
 * (variables, upstreams, named locations, the file's context): no request re-analyses the
 * workspace, so completion and hover stay fast on a 4 MB config.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CompletionItemKind,
  FoldingRangeKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type Connection,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Location,
  type ServerCapabilities,
  type SymbolInformation,
  type TextDocuments,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Settings } from '../core/config/settings';
import { directiveReference, type DirectiveContext } from '../core/directives/reference';
import { completeAt, type Candidate, type CandidateKind } from '../core/features/complete';
import { topLevelContexts } from '../core/features/cursor';
import { definitionsAt } from '../core/features/definition';
import { directiveMarkdown } from '../core/features/docs';
import { hoverAt } from '../core/features/hover';
import { configSymbols, documentSymbols, foldingRanges, type OutlineSymbol } from '../core/features/outline';
import { formatEdits, type FormatOptions } from '../core/format/format';
import type { ConfigModel } from '../core/model/effective';
import { onAnalysedFile, samePath, type FileAnalysis } from '../core/model/workspace';
import type { ParsedFile } from '../core/parser/ast';

export const EDITING_CAPABILITIES: ServerCapabilities = {
  completionProvider: { triggerCharacters: ['$', '@', '/'], resolveProvider: true },
  hoverProvider: true,
  documentSymbolProvider: true,
  workspaceSymbolProvider: true,
  foldingRangeProvider: true,
  definitionProvider: true,
  documentFormattingProvider: true,
  documentRangeFormattingProvider: true,
};

export interface EditingHost {
  settingsFor(uri: string): Promise<Settings>;
  /** The document's parse, current with its text. */
  parsed(document: TextDocument): ParsedFile;
  /** The server's last analysis of the document (may be an edit behind), if any. */
  analysisOf(uri: string): FileAnalysis | undefined;
  /** Models of whole configs for workspace symbols: those of the open documents, and the workspace's main configs. */
  configModels(): Iterable<ConfigModel>;
  /** Tells the user something the editor would otherwise hide (a refused format). */
  inform(message: string): void;
  reportFailure(what: string, error: unknown): void;
}

const ITEM_KINDS: Record<CandidateKind, CompletionItemKind> = {
  directive: CompletionItemKind.Property,
  block: CompletionItemKind.Module,
  value: CompletionItemKind.EnumMember,
  variable: CompletionItemKind.Variable,
  upstream: CompletionItemKind.Reference,
  'named-location': CompletionItemKind.Reference,
};

const SYMBOL_KINDS: Record<OutlineSymbol['kind'], SymbolKind> = {
  namespace: SymbolKind.Namespace,
  server: SymbolKind.Class,
  location: SymbolKind.Method,
  upstream: SymbolKind.Interface,
  map: SymbolKind.Variable,
  condition: SymbolKind.Event,
};

function uriOfFile(file: string): string {
  return path.isAbsolute(file) ? pathToFileURL(file).href : file;
}

/** Where the document's top level is read: from its analysis, else a guess from its name. */
function topLevelOf(document: TextDocument, analysis: FileAnalysis | undefined): DirectiveContext[] {
  if (analysis) return topLevelContexts(analysis.context);
  return /(^|\/)nginx\.conf$/.test(document.uri) ? ['main'] : ['http', 'server', 'location'];
}

function toItem(document: TextDocument, candidate: Candidate, cursor: number): CompletionItem {
  const range = { start: document.positionAt(candidate.replaceStart), end: document.positionAt(cursor) };
  return {
    label: candidate.label,
    kind: ITEM_KINDS[candidate.kind],
    detail: candidate.detail,
    insertTextFormat: candidate.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range, newText: candidate.insertText },
    data: candidate.directive,
  };
}

/**
 * Per parse: VS Code asks for symbols from the outline, breadcrumbs and sticky scroll, and for
 * folding, after each edit; on a 4 MB file each costs a walk of every block.
 */
const symbolsByParse = new WeakMap<ParsedFile, DocumentSymbol[]>();
const foldsByParse = new WeakMap<ParsedFile, FoldingRange[]>();

function toDocumentSymbol(symbol: OutlineSymbol): DocumentSymbol {
  return {
    name: symbol.name,
    detail: symbol.detail,
    kind: SYMBOL_KINDS[symbol.kind],
    range: symbol.range,
    selectionRange: symbol.selectionRange,
    children: symbol.children.map(toDocumentSymbol),
  };
}

export function registerEditingFeatures(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  host: EditingHost,
): void {
  connection.onCompletion(async (params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document || !(await host.settingsFor(document.uri)).completionEnable) return null;
    try {
      const offset = document.offsetAt(params.position);
      const analysis = host.analysisOf(document.uri);
      const model = analysis?.model;
      const candidates = completeAt(host.parsed(document), offset, {
        topLevel: topLevelOf(document, analysis),
        variables: model?.variables.keys() ?? [],
        upstreams: model?.upstreams.keys() ?? [],
        namedLocations: (model?.locations ?? []).filter((l) => l.modifier === '@').map((l) => l.path),
      });
      return candidates.map((candidate) => toItem(document, candidate, offset));
    } catch (error) {
      host.reportFailure('computing completions failed', error);
      return null;
    }
  });

  connection.onCompletionResolve((item) => {
    const data = item.data as { name?: string; context?: DirectiveContext } | undefined;
    if (!data?.name) return item;
    const info = directiveReference().directive(data.name, data.context);
    if (info) item.documentation = { kind: MarkupKind.Markdown, value: directiveMarkdown(info) };
    return item;
  });

  connection.onHover(async (params): Promise<Hover | null> => {
    const document = documents.get(params.textDocument.uri);
    if (!document || !(await host.settingsFor(document.uri)).hoverEnable) return null;
    try {
      const analysis = host.analysisOf(document.uri);
      const found = hoverAt(
        host.parsed(document),
        document.offsetAt(params.position),
        topLevelOf(document, analysis),
        analysis?.model,
      );
      if (!found) return null;
      return {
        contents: { kind: MarkupKind.Markdown, value: found.markdown },
        range: { start: document.positionAt(found.start), end: document.positionAt(found.end) },
      };
    } catch (error) {
      host.reportFailure('computing hover failed', error);
      return null;
    }
  });

  connection.onDocumentSymbol((params): DocumentSymbol[] | null => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const parsed = host.parsed(document);
    let symbols = symbolsByParse.get(parsed);
    if (!symbols) symbolsByParse.set(parsed, (symbols = documentSymbols(parsed).map(toDocumentSymbol)));
    return symbols;
  });

  connection.onWorkspaceSymbol((params): SymbolInformation[] => {
    const result: SymbolInformation[] = [];
    const seen = new Set<string>();
    for (const model of host.configModels()) {
      for (const symbol of configSymbols(model, params.query)) {
        const key = `${symbol.file}:${symbol.range.start.line}:${symbol.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        result.push({
          name: symbol.name,
          kind:
            symbol.kind === 'server'
              ? SymbolKind.Class
              : symbol.kind === 'location'
                ? SymbolKind.Method
                : SymbolKind.Interface,
          location: { uri: uriOfFile(symbol.file), range: symbol.range },
          containerName: symbol.container,
        });
      }
    }
    return result;
  });

  connection.onFoldingRanges((params): FoldingRange[] | null => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const parsed = host.parsed(document);
    let folds = foldsByParse.get(parsed);
    if (!folds) {
      folds = foldingRanges(parsed).map((fold) => ({
        startLine: fold.startLine,
        endLine: fold.endLine,
        kind: fold.comment ? FoldingRangeKind.Comment : FoldingRangeKind.Region,
      }));
      foldsByParse.set(parsed, folds);
    }
    return folds;
  });

  connection.onDefinition((params): Location[] | null => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const analysis = host.analysisOf(document.uri);
    const targets = definitionsAt(host.parsed(document), document.offsetAt(params.position), analysis?.model);
    const start = { line: 0, character: 0 };
    // A site opened at sites-available/app that nginx reads through sites-enabled/app: its own lines stay in it.
    const onFile = analysis ? onAnalysedFile(analysis) : samePath;
    return targets.map((target) => ({
      uri: uriOfFile(onFile(target.file)),
      range: target.range ?? { start, end: start },
    }));
  });

  // Formatting: whitespace only (core/format), as minimal edits so that cursors and folds stay put.
  // Off with nginxWs.formatEnable for users whose other nginx extension formats; a file with syntax
  // errors is left as it is, and the user is told why.
  const format = async (
    document: TextDocument | undefined,
    options: FormatOptions,
    range?: { start: number; end: number },
  ): Promise<TextEdit[]> => {
    if (!document || !(await host.settingsFor(document.uri)).formatEnable) return [];
    const result = formatEdits(
      host.parsed(document),
      { tabSize: options.tabSize, insertSpaces: options.insertSpaces },
      range,
    );
    if (!result.ok) {
      host.inform(`nginx-ws did not format ${path.basename(document.uri)}: ${result.reason}.`);
      return [];
    }
    return result.edits.map((edit) => ({
      range: { start: document.positionAt(edit.start), end: document.positionAt(edit.end) },
      newText: edit.newText,
    }));
  };
  connection.onDocumentFormatting((params) => format(documents.get(params.textDocument.uri), params.options));
  connection.onDocumentRangeFormatting((params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const range = { start: document.offsetAt(params.range.start), end: document.offsetAt(params.range.end) };
    return format(document, params.options, range);
  });
}
