import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'serve',
  'Run the artifact folder as a local APIM gateway',
  '[<folder>] [--env <name>] [--host 127.0.0.1] [--port 8080] [--store memory|redis://host:port] [--watch] [--backend <name>=<url>]...',
  `Example:
  apimops serve artifacts-sample --port 8080`,
);
