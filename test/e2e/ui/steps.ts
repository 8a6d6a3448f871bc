// Reusable steps of a UI test: what a person does in the workbench (keyboard first, the way the
// recipe does it) and what they see. Each step waits for the workbench to show its result, with
// a deadline, and returns what it found so the test can assert on it; `UiSession.screenshot`
// records each state under test-results/ui/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

const STEP_TIMEOUT_MS = 30_000;

export type Severity = 'error' | 'warning';

export class UiSession {
  private shots = 0;

  constructor(
    readonly page: Page,
    /** Where screenshots go: test-results/ui/<run>/. */
    readonly screenshotDir: string,
  ) {
    mkdirSync(screenshotDir, { recursive: true });
  }

  /** Saves `NN-name.png` (numbered in order of the steps) and returns its path. */
  async screenshot(name: string): Promise<string> {
    this.shots++;
    const file = join(this.screenshotDir, `${String(this.shots).padStart(2, '0')}-${name}.png`);
    // Toasts and menus fade in: finish their transitions so the picture shows the settled state.
    await this.page.screenshot({ path: file, animations: 'disabled' });
    return file;
  }
}

/** Opens the workbench on a folder and waits until the explorer shows it. */
export async function openWorkbench(page: Page, serverUrl: string, folder: string): Promise<void> {
  await page.goto(`${serverUrl}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
}

/** The lightbulb / code action menu (not the empty submenu panel that shares its class). */
function actionWidget(page: Page): Locator {
  return page.locator('.action-widget:not(.action-list-submenu-panel)');
}

function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/** The quick-input row whose label matches, once the list shows it. */
async function quickInputRow(page: Page, label: string | RegExp): Promise<Locator> {
  const row = quickInput(page).locator('.monaco-list-row').filter({ hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  return row;
}

/**
 * Ctrl+P, the workspace-relative path, Enter: opens the file in an editor and waits for its tab
 * to be the active one. (File search needs the remote extension host; the first search waits.)
 */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = relativePath.split('/').pop() ?? relativePath;
  await page.keyboard.press('Control+P');
  await quickInput(page).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.keyboard.type(relativePath);
  await quickInputRow(page, name);
  await page.keyboard.press('Enter');
  await page
    .locator('.tabs-container .tab.active')
    .filter({ hasText: name })
    .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

function squiggles(page: Page, severities: readonly Severity[]): Locator {
  return page.locator(severities.map((severity) => `.monaco-editor .squiggly-${severity}`).join(', '));
}

/**
 * Waits until the active editor shows at least one squiggle of the given severities (the
 * extension's diagnostics have arrived) and returns how many of each it shows.
 */
export async function waitForSquiggles(
  page: Page,
  severities: readonly Severity[] = ['error', 'warning'],
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<Record<Severity, number>> {
  await squiggles(page, severities).first().waitFor({ state: 'attached', timeout: timeoutMs });
  return {
    error: await squiggles(page, ['error']).count(),
    warning: await squiggles(page, ['warning']).count(),
  };
}

/** Waits until the active editor shows no squiggle of these severities (e.g. after a quick fix). */
export async function waitForNoSquiggles(
  page: Page,
  severities: readonly Severity[] = ['error', 'warning'],
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<void> {
  await squiggles(page, severities).first().waitFor({ state: 'detached', timeout: timeoutMs });
}

/**
 * Ctrl+Shift+M: opens the Problems panel and returns its rows' accessible labels (severity,
 * message, file and position), once it lists at least `atLeast` of them.
 */
export async function openProblems(page: Page, atLeast = 1): Promise<string[]> {
  await page.keyboard.press('Control+Shift+M');
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  const rows = panel.locator('.monaco-list-row');
  if (atLeast > 0) await rows.nth(atLeast - 1).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  return (
    await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''))
  ).filter(Boolean);
}

/** Puts the cursor on the first squiggle of the active editor by clicking it, as a person would. */
export async function clickFirstSquiggle(
  page: Page,
  severities: readonly Severity[] = ['error', 'warning'],
): Promise<void> {
  const squiggle = squiggles(page, severities).first();
  await squiggle.waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS });
  const box = await squiggle.boundingBox();
  if (!box) throw new Error('The squiggle is not on screen');
  // Squiggles are drawn in the layer under the text: click the text at the squiggle's start.
  await page.mouse.click(box.x + Math.min(4, box.width / 2), box.y + box.height / 2);
}

/**
 * Waits for the lightbulb, then Ctrl+.: opens the lightbulb menu at the cursor and returns the titles of its actions (code
 * actions, quick fixes first). Leaves the menu open for a screenshot; `chooseAction` or Escape
 * closes it.
 */
export async function openQuickFixes(page: Page): Promise<string[]> {
  // Ctrl+. before the editor has computed the actions at the cursor opens nothing; the lightbulb
  // in the gutter is the sign they are there.
  await page.locator('.lightBulbWidget').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  const widget = actionWidget(page);
  // Once in a few CI runs the keystroke opened nothing (the lightbulb shown, the menu never came):
  // as a user would, press it again, with the hover the click raised closed first. The step's
  // time limit stays the same in all.
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await page.keyboard.press('Escape');
    await page.keyboard.press('Control+.');
    const wait = Math.min(5_000, deadline - Date.now());
    const opened = await widget.waitFor({ state: 'visible', timeout: Math.max(wait, 1) }).then(
      () => true,
      () => false,
    );
    if (opened) break;
    if (Date.now() >= deadline) throw new Error(`Ctrl+. opened no lightbulb menu in ${attempt} tries`);
  }
  const actions = widget.locator('.monaco-list-row.action');
  await actions.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  return (await actions.allTextContents()).map((text) => text.trim()).filter(Boolean);
}

/** Picks the action with this title from the open lightbulb menu and waits for the menu to close. */
export async function chooseAction(page: Page, title: string | RegExp): Promise<void> {
  const widget = actionWidget(page);
  await widget.locator('.monaco-list-row.action').filter({ hasText: title }).first().click();
  await widget.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}

/** F1, the command's title, Enter: runs a command from the palette. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await quickInput(page).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.keyboard.type(title);
  await quickInputRow(page, title);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}

/**
 * Waits for a notification toast containing `text` and returns its message. With `hold`, the
 * mouse then rests on it, as VS Code keeps a toast only while the mouse is over it (an
 * information toast goes after 10 s), and the other toasts (the command's progress) must be gone:
 * a later screenshot shows this one alone.
 */
export async function waitForNotification(
  page: Page,
  text: string | RegExp,
  options: { timeoutMs?: number; hold?: boolean } = {},
): Promise<string> {
  const timeout = options.timeoutMs ?? STEP_TIMEOUT_MS;
  const toasts = page.locator('.notification-toast');
  const toast = toasts.filter({ hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  const message = (await toast.locator('.notification-list-item-message').textContent())?.trim() ?? '';
  if (options.hold) {
    await toast.hover();
    const others = toasts.filter({ hasNotText: text });
    try {
      await others.first().waitFor({ state: 'hidden', timeout });
    } catch (error) {
      const left = (await others.allTextContents()).map((other) => other.trim());
      throw new Error(`Other notifications stayed next to "${message}": ${JSON.stringify(left)}`, { cause: error });
    }
  }
  return message;
}

/**
 * "Notifications: Show Notifications": opens the notification center, which keeps every
 * notification of the session (toasts go after a while), and waits until it lists `text`.
 */
export async function showNotificationCenter(page: Page, text: string | RegExp): Promise<string> {
  await runCommand(page, 'Notifications: Show Notifications');
  const item = page.locator('.notifications-center .notification-list-item').filter({ hasText: text }).first();
  await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  return (await item.locator('.notification-list-item-message').textContent())?.trim() ?? '';
}

/** Hovers the row of the open lightbulb menu with this title: it is highlighted, as before a click. */
export async function highlightAction(page: Page, title: string | RegExp): Promise<void> {
  await actionWidget(page).locator('.monaco-list-row.action').filter({ hasText: title }).first().hover();
}

/**
 * Shows the panel (Problems, Output...) over the whole editor area, or back: "View: Toggle
 * Maximized Panel". Waits until the panel is as tall as asked.
 */
export async function toggleMaximizedPanel(page: Page): Promise<void> {
  const panel = page.locator('.part.panel');
  const before = (await panel.boundingBox())?.height ?? 0;
  await runCommand(page, 'View: Toggle Maximized Panel');
  // A string, evaluated in the page: this project's types have no DOM.
  await page.waitForFunction(
    `Math.abs((document.querySelector('.part.panel')?.getBoundingClientRect().height ?? ${before}) - ${before}) > 50`,
    undefined,
    { timeout: STEP_TIMEOUT_MS },
  );
}

/** The text of the active editor's visible lines (Monaco renders only what is on screen). */
export async function visibleEditorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-instance .monaco-editor .view-lines .view-line');
  const entries = await lines.evaluateAll((elements) =>
    elements.map((element) => ({
      // Monaco positions each rendered line absolutely: `style="top:38px"`; DOM order is not line order.
      top: Number(/top:\s*([\d.]+)px/.exec(element.getAttribute('style') ?? '')?.[1] ?? 0),
      text: (element.textContent ?? '').replace(/\u00a0/g, ' '),
    })),
  );
  return entries
    .sort((a, b) => a.top - b.top)
    .map((entry) => entry.text)
    .join('\n');
}

/** Ctrl+G, the line number, Enter: puts the cursor at the start of that line (1-based). */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await quickInput(page).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  await page
    .locator('.statusbar-item')
    .filter({ hasText: new RegExp(`^Ln ${line}, Col 1$`) })
    .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
}

/**
 * Waits until the panel (Output, Terminal...) shows text matching `text` in its editor, e.g. the
 * extension's output channel after "Show Details", and returns that line. Monaco renders spaces
 * as no-break spaces: a string's spaces match any white space; in a RegExp, write \s.
 */
export async function waitForPanelText(
  page: Page,
  text: string | RegExp,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<string> {
  const pattern =
    typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s')) : text;
  const line = page.locator('.part.panel .monaco-editor .view-line').filter({ hasText: pattern }).first();
  await line.waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await line.textContent()) ?? '').replace(/\u00a0/g, ' ').trim();
}
