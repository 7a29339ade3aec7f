// Server-sent events read with fetch(), so the bearer token goes in a header (EventSource
// cannot send one, and a token in the URL would end up in logs).
import { session } from "./core.js";

/**
 * Stream `url`, calling `onEvent(name, data)` for each event (data parsed as JSON when it
 * is JSON). Reconnects after a dropped connection (with Last-Event-ID) until `stop()` or
 * the server ends the stream. Returns {stop(), done} where `done` settles when it ends.
 */
export function streamEvents(url, onEvent, { onError, retryMs = 2000 } = {}) {
  const controller = new AbortController();
  let lastId = null;
  let stopped = false;
  const done = (async () => {
    for (let tries = 0; !stopped && tries < 30; tries += 1) {
      try {
        const headers = { Accept: "text/event-stream", Authorization: `Bearer ${session.token}` };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await fetch(url, { headers, signal: controller.signal });
        if (!response.ok) {
          if (onError) onError(response.status);
          if (response.status < 500) return; // 404, 403...: retrying will not help
        } else {
          const ended = await readStream(response.body, (event) => {
            if (event.id) lastId = event.id;
            onEvent(event.event || "message", event.data);
          });
          if (ended) return;
        }
      } catch (error) {
        if (error.name === "AbortError") return;
        if (onError) onError(0);
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      controller.abort();
    },
  };
}

async function readStream(body, emit) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true; // the server closed the stream: it said everything
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { data: "" };
      const data = [];
      for (const line of block.split("\n")) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(text);
        else if (field === "event") event.event = text;
        else if (field === "id") event.id = text;
      }
      if (!data.length) continue;
      const raw = data.join("\n");
      try {
        event.data = JSON.parse(raw);
      } catch {
        event.data = raw;
      }
      emit(event);
    }
  }
}
