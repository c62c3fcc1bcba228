/**
 * Whether a file meant to be a CSV is a web page: many servers answer a missing file with their
 * index.html (status 200), and a CSV parser reads that as rows of mismatched fields ("row 5 has 2
 * fields"), which sends a user looking for the wrong problem.
 */
const HTML_START =
  /^(?:\uFEFF)?\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<!--|<\?xml[^>]*>\s*<(?:!doctype\s+)?html)/i;

export function looksLikeHtml(text: string): boolean {
  return HTML_START.test(text);
}

/** Reads the file's first KiB (its type, when a server sent one, decides first). */
export async function isHtmlFile(file: Blob): Promise<boolean> {
  if (/^(text\/html|application\/xhtml\+xml)\b/i.test(file.type)) return true;
  return looksLikeHtml(await file.slice(0, 1024).text());
}

export function htmlFileMessage(name: string): string {
  return `${name} is a web page (HTML), not a CSV file. If it came from an address, the server may have answered a missing file with a page of its own: check that the address points at the CSV.`;
}
