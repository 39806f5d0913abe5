import { describe, expect, it } from "vitest";
import { startReceiver } from "./execution";

// The end-to-end figures stand on the receiver: it must say when each task's first callback
// came, wake whoever waits for it, and count a task called back twice.
describe("the benchmark's callback receiver", () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: "POST", body: JSON.stringify(body) }).then((r) => r.status);

  it("resolves a wait at the task's callback, before or after it is asked for, and counts repeats", async () => {
    const receiver = await startReceiver();
    try {
      const waiting = receiver.arrival("task-1");
      expect(await post(receiver.url, { event: "task.executed", task_id: "task-1" })).toBe(200);
      const at = await waiting;
      expect(receiver.arrivals.get("task-1")).toBe(at);

      expect(await post(receiver.url, { task_id: "task-2" })).toBe(200);
      expect(await receiver.arrival("task-2")).toBe(receiver.arrivals.get("task-2"));

      expect(await post(receiver.url, { task_id: "task-1" })).toBe(200);
      expect(receiver.repeats.get("task-1")).toBe(1);
      expect(receiver.arrivals.get("task-1")).toBe(at);

      // Not a callback: answered, not recorded.
      expect(await post(receiver.url, "not json")).toBe(200);
      expect(receiver.arrivals.size).toBe(2);
    } finally {
      await receiver.close();
    }
  });
});
