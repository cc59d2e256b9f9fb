/**
 * Where an artifact folder is read from: the working tree now, a git tree (diff/git.ts) later. The reader
 * reads only through this interface, so nothing else in the code opens artifact files.
 * Paths are relative to the artifact root and `/`-separated.
 */
export interface FileSource {
  /** A label for messages ("artifacts-sample", "HEAD~1:artifacts"). */
  readonly description: string;
  /** Every file under the root, relative and `/`-separated, sorted. */
  listFiles(): Promise<string[]>;
  /** The file's bytes as UTF-8 text, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /**
   * Optional batch read: the texts of `paths` in order (undefined for a missing file). A source that can read
   * many files faster than one `readText` each (a folder on disk) implements it; the reader prefers it.
   */
  readTexts?(paths: readonly string[]): Promise<(string | undefined)[]>;
  /**
   * Optional streamed read: the texts of `paths` in order, in consecutive batches as they are read, so the
   * caller parses one batch while the next is read (a folder on disk reads a large set in a worker thread).
   * The batches together are what `readTexts(paths)` gives.
   */
  readTextBatches?(paths: readonly string[]): AsyncIterable<(string | undefined)[]>;
  /**
   * Optional: lists and reads in one pass, in batches as files are found — every file once, in `listFiles()`
   * order except that the API folders (`apis/` at the root or in a workspace) come after everything else
   * (folder-walk.ts `apisLast`: a reader knows what an API may refer to before its files), with the text of
   * each file of the artifact layout (null: listed, not read — `readText` it if
   * needed; undefined: it vanished). Undefined when the source would not gain from it (a small folder, a
   * folder already listed); then list and read. After a complete scan `listFiles()` is the scan's listing.
   */
  scan?(): AsyncIterable<{ paths: readonly string[]; texts: readonly (string | null | undefined)[] }> | undefined;
}
