"use client";
import type { ReactNode } from "react";
import { failureText } from "./action-result";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";
import { Dialog } from "./ui/dialog";

/** What the dialog needs of the revoke's mutation (@tanstack/react-query's useMutation). */
interface RevokeMutation {
  error: unknown;
  isPending: boolean;
  reset(): void;
}

/**
 * "Revoke …?" with its consequence, the revoke's failure if it failed, and Keep it / Revoke.
 * Closing it (Keep it, Escape, the backdrop) forgets the failure.
 */
export function RevokeDialog({
  open,
  title,
  description,
  revoke,
  onConfirm,
  onClose,
  testId,
  confirmTestId,
}: {
  open: boolean;
  title: string;
  description: ReactNode;
  revoke: RevokeMutation;
  onConfirm: () => void;
  onClose: () => void;
  testId: string;
  confirmTestId: string;
}) {
  const close = () => {
    onClose();
    revoke.reset();
  };
  return (
    <Dialog open={open} onClose={close} title={title} description={description} testId={testId}>
      {revoke.error ? (
        <Alert tone="error" className="mb-3">
          {failureText(revoke.error)}
        </Alert>
      ) : null}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button onClick={close}>Keep it</Button>
        <Button
          variant="danger"
          disabled={revoke.isPending}
          onClick={onConfirm}
          data-testid={confirmTestId}
        >
          {revoke.isPending ? "Revoking…" : "Revoke"}
        </Button>
      </div>
    </Dialog>
  );
}
