// Placeholder entry so the project type-checks while the client is being written.
export function activate(): void {}
export function deactivate(): void {}
