import Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../app/eventStore';
import { COLUMNS, toEvent, type Row } from './reads';

/**
 * The events of a log file in position order, exactly as stored, read-only and page by page: what an
 * auditor's offline check reads from a copy of the data folder, with the backbone stopped.
 */
export async function* readLogFile(path: string): AsyncGenerator<RecordedEvent> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const page = db.prepare<[number], Row>(
      `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT 1000`,
    );
    for (let after = 0; ;) {
      const rows = page.all(after);
      for (const row of rows) yield toEvent(row);
      const last = rows[rows.length - 1];
      if (!last) return;
      after = last.position;
    }
  } finally {
    db.close();
  }
}
