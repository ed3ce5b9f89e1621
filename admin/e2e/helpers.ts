// Shared by the browser scenarios: the backend's address, a Chromium from Debian, screenshots,
// and a few API calls to set the scene (made with the same generated types as the app).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { components, paths } from "../src/api/schema";

export const baseUrl = required("E2E_BASE_URL");
export const admin = { username: process.env.E2E_ADMIN_USERNAME ?? "admin", password: required("E2E_ADMIN_PASSWORD") };
export const artifacts = join(import.meta.dirname, "..", "e2e-artifacts");
mkdirSync(artifacts, { recursive: true });

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`make e2e\` (admin/scripts/e2e.sh)`);
  return v;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

type Schemas = components["schemas"];

/** A minimal API client for arranging data (not under test). */
export class Api {
  constructor(private token: string) {}

  static async login(username: string, password: string): Promise<Api> {
    const body: Schemas["LoginRequest"] = { username, password };
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`login ${res.status}: ${await res.text()}`);
    const grant = (await res.json()) as Schemas["TokenResponse"];
    return new Api(grant.access_token);
  }

  async call<T>(method: string, path: keyof paths | string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createNumber(body: Schemas["CreateBusinessNumberRequest"]) {
    return this.call<Schemas["BusinessNumberDto"]>("POST", "/api/v1/business-numbers", body);
  }

  simulateInbound(body: Schemas["SimulatedInboundRequest"]) {
    return this.call<Schemas["SimulatedInboundReceipt"]>("POST", "/api/v1/simulator/inbound", body);
  }

  startConversation(body: Schemas["StartConversationRequest"]) {
    return this.call<Schemas["StartedConversation"]>("POST", "/api/v1/conversations", body);
  }
}

let counter = 0;
/** A fresh E.164 number per call, so scenarios never share a customer. */
export function uniquePhone(prefix = "+1650555"): string {
  counter += 1;
  return `${prefix}${String((Date.now() % 9000) + counter).padStart(4, "0")}`;
}
