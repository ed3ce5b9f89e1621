import { useState } from "react";
import type { BusinessNumber } from "../api/types";
import { useNumbers } from "../api/queries";

/** "Support (+15550100011)". */
export function numberLabel(n: BusinessNumber): string {
  return `${n.name} (${n.display_phone_number})`;
}

/**
 * The number a screen works on: the one picked, else the first the user may see (`null` while
 * there is none). For screens that always show one number (Dashboard, Simulator, Memberships).
 */
export function useChosenNumber(): [number | null, (id: number | null) => void] {
  const numbers = useNumbers().data ?? [];
  const [picked, setPicked] = useState<number | null>(null);
  return [picked ?? numbers[0]?.id ?? null, setPicked];
}

/**
 * A select of the business numbers the user may see. With `allLabel`, a first option of that
 * label stands for no number (`null`: every number), as the inbox filter offers.
 */
export function BusinessNumberPicker({
  label,
  value,
  onChange,
  allLabel,
}: {
  label: string;
  value: number | null;
  onChange(id: number | null): void;
  allLabel?: string;
}) {
  const numbers = useNumbers().data ?? [];
  return (
    <label>
      {label}
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}>
        {allLabel !== undefined && <option value="">{allLabel}</option>}
        {numbers.map((n) => (
          <option key={n.id} value={n.id}>
            {numberLabel(n)}
          </option>
        ))}
      </select>
    </label>
  );
}
