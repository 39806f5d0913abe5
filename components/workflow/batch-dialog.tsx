"use client";
// The workflow page's batch dialog: approve or reject every selected request at once, with one
// justification or reason recorded on each.

import { useId, useState } from "react";
import { failureText } from "../action-result";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { FieldNote, Label, Textarea } from "../ui/field";

export function BatchDialog({
  dialog,
  count,
  required,
  pending,
  error,
  onClose,
  onSubmit,
}: {
  dialog: "approve" | "reject" | null;
  /** How many requests are selected. */
  count: number;
  /** Whether a justification is needed to approve them (a reason is always needed to reject). */
  required: boolean;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSubmit: (decision: "approve" | "reject", text: string) => void;
}) {
  return (
    <Dialog
      open={dialog !== null}
      onClose={onClose}
      title={dialog === "approve" ? `Approve ${count} requests?` : `Reject ${count} requests?`}
      description="Each request is decided and recorded on its own; one refusal stops no other."
      testId="batch-dialog"
    >
      {dialog && (
        <BatchForm
          key={dialog}
          decision={dialog}
          required={dialog === "reject" || required}
          pending={pending}
          error={error ? failureText(error) : null}
          onCancel={onClose}
          onSubmit={(text) => onSubmit(dialog, text)}
        />
      )}
    </Dialog>
  );
}

function BatchForm({
  decision,
  required,
  pending,
  error,
  onCancel,
  onSubmit,
}: {
  decision: "approve" | "reject";
  required: boolean;
  pending: boolean;
  error: string | null;
  onCancel: () => void;
  onSubmit: (text: string) => void;
}) {
  const [text, setText] = useState("");
  const [touched, setTouched] = useState(false);
  const id = useId();
  const missing = required && !text.trim();
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!missing) onSubmit(text.trim());
      }}
    >
      <Label htmlFor={id} hint={required ? "required" : "optional"}>
        {decision === "approve" ? "Justification" : "Reason"}
      </Label>
      <Textarea
        id={id}
        rows={3}
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={touched && missing ? true : undefined}
        data-testid="batch-text"
      />
      <FieldNote error={touched && missing}>
        {touched && missing
          ? decision === "approve"
            ? "One of these needs a justification."
            : "A reason is required."
          : decision === "reject"
            ? "The same reason is sent to each agent."
            : "Recorded with each approval."}
      </FieldNote>
      {error && (
        <Alert tone="error" className="mt-3">
          {error}
        </Alert>
      )}
      <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button onClick={onCancel}>Cancel</Button>
        <Button
          type="submit"
          variant={decision === "approve" ? "approve" : "danger"}
          disabled={pending}
          data-testid="batch-confirm"
        >
          {pending
            ? "Working…"
            : decision === "approve"
              ? "Approve all selected"
              : "Reject all selected"}
        </Button>
      </div>
    </form>
  );
}
