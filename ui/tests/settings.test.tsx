import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import { toBackendError } from "../src/backend/backend";
import { BackendProvider } from "../src/backend/context";
import type { FixtureBackend } from "../src/backend/fixture";
import { backend } from "./fixtures";

/** The app on the fixture backend, on the Settings screen. */
async function openSettings(): Promise<FixtureBackend> {
  const b = backend();
  render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
  await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
  return b;
}

describe("settings", () => {
  it("changes the watched folder and says where it is watching", async () => {
    const b = await openSettings();
    const input = await screen.findByLabelText("Incoming folder");
    await userEvent.type(input, "relative");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("full path");

    await userEvent.clear(input);
    await userEvent.type(input, "/srv/gp2gp/in");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Saved/)).toBeTruthy();
    expect(screen.getByText("/srv/gp2gp/in")).toBeTruthy();
    expect(b.calls).toContain("updateSettings:/srv/gp2gp/in");
  });

  it("turns the HTTP endpoint on and says where engines post and where the token is", async () => {
    const b = await openSettings();
    const listen = await screen.findByLabelText("Address and port");
    expect((listen as HTMLInputElement).value).toBe("127.0.0.1:8787");
    expect(screen.queryByTestId("endpoint-status")).toBeNull();
    await userEvent.click(screen.getByLabelText("Accept messages posted to the endpoint"));
    await userEvent.clear(listen);
    await userEvent.type(listen, "localhost");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("IP address and port");

    await userEvent.clear(listen);
    await userEvent.type(listen, "127.0.0.1:9000");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const status = await screen.findByTestId("endpoint-status");
    expect(status.textContent).toContain("http://127.0.0.1:9000/v1/messages");
    expect(status.textContent).toContain("/data/endpoint-token");
    expect(b.settingsView.endpoint.enabled).toBe(true);
  });
});

describe("errors", () => {
  it("keeps only known codes", () => {
    expect(toBackendError({ code: "not_found", message: "gone" }).code).toBe("not_found");
    expect(toBackendError({ code: "weird", message: "x" }).code).toBe("internal");
    expect(toBackendError("boom").message).toBe("boom");
  });
});
