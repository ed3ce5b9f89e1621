// The admin app in a real browser (Debian's Chromium, headless) against the real backend.
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { Api, admin, baseUrl, launch, newPage, shot, signIn, uniquePhone } from "./helpers";

let browser: Browser;

/** A 160×96 solid PNG, made here so the suite needs no fixture files. */
function swatchPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(160, 0);
  ihdr.writeUInt32BE(96, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: 160 }, () => [0x1a, 0x73, 0xe8]).flat())]);
  const raw = Buffer.concat(Array.from({ length: 96 }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
let api: Api;
let support: { id: number; name: string };

beforeAll(async () => {
  browser = await launch();
  api = await Api.login(admin.username, admin.password);
  const n = await api.createNumber({ name: "Support", display_phone_number: "+15550100011", phone_number_id: "100000000000011" });
  support = { id: n.id, name: n.name };
});

afterAll(async () => {
  await browser?.close();
});

describe("admin app", () => {
  it("a customer message arrives live, the admin replies, the marks advance to read, and resolves", async () => {
    const page = await newPage(browser);
    await signIn(page, admin.username, admin.password);
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    await shot(page, "1-01-inbox-empty");

    // No token in storage or in a script-readable cookie.
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: "" });

    // Play the customer from the Simulator panel in a second tab; the first keeps the inbox open.
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const sim = await page.context().newPage();
    await sim.goto("/simulator");
    await sim.getByLabel("Customer phone").fill("+16505550101");
    await sim.getByLabel("Customer name").fill("Sheena Nelson");
    await sim.getByLabel("Customer message").fill("Does it come in another color?");
    await sim.getByRole("button", { name: "Send as customer" }).click();
    await sim.getByTestId("simulator-result").waitFor();
    await shot(sim, "1-02-simulator");
    await sim.close();

    const item = page.getByTestId("conversation-item").filter({ hasText: "Sheena Nelson" });
    await item.waitFor();
    await expect(item.getByTestId("conversation-preview").textContent()).resolves.toBe("Does it come in another color?");
    await expect(item.getByTestId("unread-badge").textContent()).resolves.toBe("1");
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await shot(page, "1-03-inbox-live");

    // Open it: the thread shows the message, the window is open, and it is marked read.
    await item.click();
    const thread = page.getByTestId("thread");
    await thread.getByText("Does it come in another color?").waitFor();
    await expect(page.getByTestId("window-state").textContent()).resolves.toMatch(/^Window open: 2[34]h/);
    await item.getByTestId("unread-badge").waitFor({ state: "detached" });

    // Reply; the mock provider reports sent, delivered and read.
    await page.getByRole("textbox", { name: "Message" }).fill("Yes: blue, green and red.");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const reply = thread.getByTestId("message").filter({ hasText: "Yes: blue, green and red." });
    await reply.waitFor();
    await reply.getByTestId("status-mark").and(page.locator('[data-status="read"]')).waitFor({ timeout: 20_000 });
    await expect(reply.getByTestId("status-mark").getAttribute("aria-label")).resolves.toBe("Read");
    await expect(item.getByTestId("conversation-preview").textContent()).resolves.toBe("You: Yes: blue, green and red.");
    await shot(page, "1-04-conversation-read");

    // Resolve.
    await page.getByLabel("Conversation status").selectOption("resolved");
    await item.locator(".chip.status-resolved").waitFor();
    await shot(page, "1-05-resolved");

    // The dashboard's figures for that number.
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.getByLabel("Business number").selectOption({ label: "Demo inbox (mock WhatsApp) (+15550100001)" });
    await page.getByTestId("stat-resolved").filter({ hasText: /^1$/ }).waitFor();
    await expect(page.getByTestId("stat-messages_received").textContent()).resolves.toBe("1");
    await expect(page.getByTestId("stat-messages_sent").textContent()).resolves.toBe("1");
    await shot(page, "1-06-dashboard");
    await page.getByRole("link", { name: "Inbox" }).click();
    await item.click();

    // A reload restores the session from the HttpOnly refresh cookie; logging out ends it.
    await page.reload();
    await page.getByTestId("conversation-title").filter({ hasText: "Sheena Nelson" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.context().close();
  });

  it("an agent who is a member of one number sees only that number's conversations", async () => {
    const sales = await api.createNumber({ name: "Sales", display_phone_number: "+15550100012", phone_number_id: "100000000000012" });
    await api.simulateInbound({ business_number_id: sales.id, from: uniquePhone(), name: "Sales Customer", text: "I want to buy" });
    await api.simulateInbound({ business_number_id: support.id, from: uniquePhone(), name: "Support Customer", text: "It is broken" });

    const page = await newPage(browser);
    await signIn(page, admin.username, admin.password);
    await page.getByRole("link", { name: "Admin" }).click();

    const newUser = page.getByRole("form", { name: "Create user" });
    await newUser.getByLabel("Username").fill("agent.ana");
    await newUser.getByLabel("Display name").fill("Ana Agent");
    await newUser.getByLabel("Password").fill("ana's long passphrase");
    await newUser.getByLabel("Role").selectOption("agent");
    await newUser.getByRole("button", { name: "Create user" }).click();
    await page.getByTestId("users-table").locator('tr[data-username="agent.ana"]').waitFor();

    await page.getByLabel("Members of").selectOption({ label: "Sales (+15550100012)" });
    await page.getByLabel("User to add").selectOption({ label: "agent.ana (agent)" });
    await page.getByRole("button", { name: "Add member" }).click();
    await page.getByTestId("members-list").getByText("Ana Agent").waitFor();
    await shot(page, "2-01-admin-membership");
    await page.context().close();

    const agent = await newPage(browser);
    await signIn(agent, "agent.ana", "ana's long passphrase");
    await agent.getByTestId("conversation-item").filter({ hasText: "Sales Customer" }).waitFor();
    await expect(agent.getByTestId("current-user").textContent()).resolves.toContain("agent");
    expect(await agent.getByTestId("conversation-item").filter({ hasText: "Support Customer" }).count()).toBe(0);
    expect(await agent.getByTestId("conversation-item").filter({ hasText: "Sheena Nelson" }).count()).toBe(0);
    expect(await agent.getByRole("link", { name: "Admin" }).count()).toBe(0);
    const numberOptions = await agent.getByLabel("Business number").locator("option").allTextContents();
    expect(numberOptions).toEqual(["All numbers", "Sales (+15550100012)"]);
    await shot(agent, "2-02-agent-inbox");
    await agent.context().close();
  });

  it("a conversation outside the 24-hour window offers the template picker instead of the composer", async () => {
    const started = await api.startConversation({
      business_number_id: support.id,
      to: uniquePhone("+4420794600"),
      template: { name: "hello_world", language: { code: "en_US" } },
    });
    const page = await newPage(browser);
    await signIn(page, admin.username, admin.password);
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    await page.getByTestId("conversation-item").nth(3).waitFor();
    await shot(page, "3-00-inbox");
    await page.getByTestId("conversation-item").and(page.locator(`[data-conversation-id="${started.conversation.id}"]`)).click();

    const picker = page.getByTestId("template-picker");
    await picker.waitFor();
    expect(await page.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    await expect(page.getByTestId("window-state").textContent()).resolves.toContain("Window closed");
    await page.getByTestId("thread").getByText("Template hello_world (en_US)").first().waitFor();

    // A custom template with a body parameter goes out through the same picker.
    await picker.getByLabel("Template", { exact: true }).selectOption("custom");
    await picker.getByLabel("Template name").fill("order_update");
    await picker.getByRole("button", { name: "Add parameter" }).click();
    await picker.getByLabel("{{1}}").fill("#1234");
    await shot(page, "3-01-template-picker");
    await picker.getByRole("button", { name: "Send template" }).click();
    await page.getByTestId("thread").getByText("Template order_update (en_US): #1234").waitFor();
    await shot(page, "3-02-template-sent");
    await page.context().close();
  });

  it("an agent attaches an image with a caption; it is sent and shown in the thread", async () => {
    const customer = uniquePhone();
    await api.simulateInbound({ business_number_id: support.id, from: customer, name: "Photo Customer", text: "Can you send a photo?" });
    const page = await newPage(browser);
    await signIn(page, admin.username, admin.password);
    await page.getByTestId("conversation-item").filter({ hasText: "Photo Customer" }).click();
    await page.getByTestId("thread").getByText("Can you send a photo?").waitFor();

    await page.getByLabel("Attach file").setInputFiles({ name: "swatch.png", mimeType: "image/png", buffer: swatchPng() });
    await page.getByTestId("attachment").filter({ hasText: "swatch.png" }).waitFor();
    await page.getByRole("textbox", { name: "Message" }).fill("Here is the blue one");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const sent = page.getByTestId("message").filter({ hasText: "Here is the blue one" });
    await sent.locator("img").waitFor();
    expect(await sent.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(160);
    await sent.getByTestId("status-mark").and(page.locator('[data-status="read"]')).waitFor({ timeout: 20_000 });
    await shot(page, "6-01-image-sent");
    await page.context().close();
  });

  it("older messages load when the thread is scrolled to the top", async () => {
    const from = uniquePhone();
    for (let i = 1; i <= 60; i++) {
      await api.simulateInbound({ business_number_id: support.id, from, name: "Chatty Customer", text: `message number ${i}` });
    }
    const page = await newPage(browser);
    await signIn(page, admin.username, admin.password);
    await page.getByTestId("conversation-item").filter({ hasText: "Chatty Customer" }).click();
    const thread = page.getByTestId("thread");
    await thread.getByText("message number 60", { exact: true }).waitFor();
    expect(await thread.getByText("message number 1", { exact: true }).count()).toBe(0);
    await thread.evaluate((el) => (el.scrollTop = 0));
    await thread.getByText("message number 1", { exact: true }).waitFor();
    await thread.getByText("Start of the conversation").waitFor();
    expect(await thread.getByTestId("message").count()).toBe(60);
    await page.context().close();
  });

  it("the inbox loads more conversations past its first page, and a new one arrives live on top", async () => {
    const bulk = await api.createNumber({ name: "Bulk", display_phone_number: "+15550100013", phone_number_id: "100000000000013" });
    for (let i = 1; i <= 51; i++) {
      await api.simulateInbound({ business_number_id: bulk.id, from: `+1650777${String(i).padStart(4, "0")}`, name: `Bulk Customer ${i}`, text: `bulk ${i}` });
    }
    const page = await newPage(browser);
    await signIn(page, admin.username, admin.password);
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    await page.getByLabel("Business number").selectOption({ label: "Bulk (+15550100013)" });
    // The names in list order, once the list holds `count` conversations, all of that number.
    const names = async (count: number) => {
      await page.waitForFunction((n) => {
        const shown = [...document.querySelectorAll('[data-testid="conversation-item"] .conv-name')].map((e) => e.textContent ?? "");
        return shown.length === n && shown.every((t) => t.startsWith("Bulk Customer "));
      }, count);
      return page.getByTestId("conversation-item").locator(".conv-name").allTextContents();
    };
    const first = await names(50);
    expect(first[0]).toBe("Bulk Customer 51");
    expect(first).not.toContain("Bulk Customer 1");

    await page.getByRole("button", { name: "Load more" }).click();
    const more = await names(51);
    expect(more.slice(0, 50)).toEqual(first);
    expect(more[50]).toBe("Bulk Customer 1");
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);

    await api.simulateInbound({ business_number_id: bulk.id, from: "+16507770052", name: "Bulk Customer 52", text: "bulk 52" });
    const live = await names(52);
    expect(live[0]).toBe("Bulk Customer 52");
    expect(live.slice(1)).toEqual(more);
    await shot(page, "7-01-inbox-paged");
    await page.context().close();
  });

  it("a viewer reads conversations but has no send, assign or admin controls", async () => {
    await api.call("POST", "/api/v1/users", { username: "vera.viewer", password: "vera's long passphrase", role: "viewer" });
    const users = await api.call<{ items: { id: number; username: string }[] }>("GET", "/api/v1/users");
    const vera = users.items.find((u) => u.username === "vera.viewer")!;
    await api.call("PUT", `/api/v1/business-numbers/${support.id}/members/${vera.id}`);
    await api.simulateInbound({ business_number_id: support.id, from: uniquePhone(), name: "Viewer Visible", text: "Hello viewer" });

    const page = await newPage(browser);
    await signIn(page, "vera.viewer", "vera's long passphrase");
    await page.getByTestId("conversation-item").filter({ hasText: "Viewer Visible" }).click();
    await page.getByTestId("thread").getByText("Hello viewer").waitFor();
    await page.getByTestId("read-only").waitFor();
    expect(await page.getByTestId("composer").count()).toBe(0);
    expect(await page.getByTestId("template-picker").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Assign to me" }).count()).toBe(0);
    expect(await page.getByLabel("Conversation status").count()).toBe(0);
    expect(await page.getByRole("link", { name: "Admin" }).count()).toBe(0);
    await shot(page, "5-01-viewer-read-only");
    await page.context().close();
  });

  it("a wrong password shows the error, and repeated failures show the lock-out time", async () => {
    const page = await newPage(browser);
    await signIn(page, admin.username, "not the password");
    await expect(page.getByTestId("login-error").textContent()).resolves.toBe("Wrong username or password.");
    await shot(page, "4-01-wrong-password");

    // Lock out a different user name (five failures), so the admin account stays usable.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "mallory", password: `guess ${i}` }),
      });
      expect(res.status).toBe(401);
    }
    await page.getByLabel("Username").fill("mallory");
    await page.getByLabel("Password").fill("one more guess");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("login-error").filter({ hasText: "Locked out" }).waitFor();
    await expect(page.getByTestId("login-error").textContent()).resolves.toMatch(/^Locked out .* try again in \d+ minutes?\.$/);
    await shot(page, "4-02-locked-out");
    await page.context().close();
  });
});
