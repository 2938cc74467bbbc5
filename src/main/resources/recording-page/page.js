// Loads server-rendered fragments of the sessions page with the caller's bearer token, and
// replays a recorded stream by reading the replay endpoint's server-sent events as they arrive.
"use strict";

let token = "";
let replayAbort = null;

function authorized(path) {
  return fetch(path, { headers: { Authorization: "Bearer " + token } });
}

async function loadFragment(path, target) {
  const response = await authorized(path);
  target.innerHTML = await response.text();
}

async function showSession(sessionId) {
  await loadFragment("/sessions/fragments/" + encodeURIComponent(sessionId), document.getElementById("timeline"));
}

function appendDelta(data, output) {
  if (data === "[DONE]") {
    return;
  }
  let chunk;
  try {
    chunk = JSON.parse(data);
  } catch (e) {
    return;
  }
  for (const choice of chunk.choices || []) {
    const delta = choice.delta || {};
    if (typeof delta.content === "string") {
      output.textContent += delta.content;
    }
  }
  if (chunk.error) {
    output.textContent += "\n[error: " + (chunk.error.code || chunk.error.message) + "]";
  }
}

async function replay(sessionId, eventId) {
  if (replayAbort) {
    replayAbort.abort();
  }
  replayAbort = new AbortController();
  const section = document.getElementById("replay");
  const output = document.getElementById("replay-text");
  const count = document.getElementById("replay-count");
  const state = document.getElementById("replay-state");
  section.hidden = false;
  document.getElementById("replay-event").textContent = eventId;
  output.textContent = "";
  count.textContent = "0";
  state.textContent = "(streaming)";
  const speed = document.getElementById("speed").value;
  const path = "/v1/sessions/" + encodeURIComponent(sessionId) + "/events/" + encodeURIComponent(eventId)
    + "/replay?speed=" + encodeURIComponent(speed);
  const response = await fetch(path, { headers: { Authorization: "Bearer " + token }, signal: replayAbort.signal });
  if (!response.ok) {
    state.textContent = "(failed with HTTP " + response.status + ")";
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let events = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf("\n\n")) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event.split("\n").filter(line => line.startsWith("data: ")).map(line => line.slice(6)).join("\n");
      events += 1;
      count.textContent = String(events);
      appendDelta(data, output);
    }
  }
  state.textContent = "(done)";
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("token-form").addEventListener("submit", async event => {
    event.preventDefault();
    token = document.getElementById("token").value.trim();
    document.getElementById("timeline").innerHTML = "";
    await loadFragment("/sessions/fragments/list", document.getElementById("sessions"));
  });
  document.body.addEventListener("click", event => {
    const target = event.target.closest("[data-session]");
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.dataset.event) {
      replay(target.dataset.session, target.dataset.event);
    } else {
      showSession(target.dataset.session);
    }
  });
});
