// The approval queue's keyset cursor: opaque to clients, (risk rank, created_at, id) inside.
export interface QueueCursor {
  rank: number;
  createdAt: string;
  id: string;
}

export function encodeCursor(c: QueueCursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.createdAt, c.id])).toString("base64url");
}

export function decodeCursor(raw: string): QueueCursor | null {
  try {
    const [rank, createdAt, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (
      !Number.isInteger(rank) ||
      typeof createdAt !== "string" ||
      Number.isNaN(Date.parse(createdAt)) ||
      typeof id !== "string" ||
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    ) {
      return null;
    }
    return { rank, createdAt, id };
  } catch {
    return null;
  }
}
