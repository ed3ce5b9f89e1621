import { errorText } from "../api/errors";

/** A backend error (its message, code and rejected fields), announced to screen readers. */
export function ErrorBanner({ error, testId = "error" }: { error: unknown; testId?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="error" role="alert" data-testid={testId}>
      {errorText(error)}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}
