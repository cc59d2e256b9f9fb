/**
 * `serve --watch`: calls `onChange` (debounced) when anything under the folder changes. The caller reloads
 * and keeps the last good configuration when the new one fails to load.
 */
import { watch, type FSWatcher } from 'node:fs';

export interface FolderWatcher {
  close(): void;
}

/** Watches `dir` recursively; `onChange` runs at most once per `debounceMs` burst of events, never concurrently. */
export function watchFolder(dir: string, onChange: () => Promise<void>, debounceMs = 150): FolderWatcher {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const fire = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await onChange();
    } finally {
      running = false;
      if (again) {
        again = false;
        void fire();
      }
    }
  };
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, file) => {
    // Editors' swap files and our own `.apimops/` keys are not changes to the configuration.
    if (file && /(^|[\\/])(\.apimops|\.git|node_modules)([\\/]|$)|~$|\.swp$/.test(String(file))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void fire(), debounceMs);
  });
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
