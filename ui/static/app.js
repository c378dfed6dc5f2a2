// The runs page's entry: takes the key from the address, routes between views (#/, #/runs/<id>,
// #/deployments), and asks for a key in words when the API refuses one, never a blank page.
import { forgetFunctionKey, functionKey, onKeyRefused, setFunctionKey, takeKeyFromAddress } from "./api.js";
import { announce } from "./dom.js";
import { RunView } from "./run.js";
import { DeploymentsView, RunsView } from "./runs.js";

let view = null;

function keyPanel(error) {
  const panel = document.getElementById("key-panel");
  const given = Boolean(functionKey());
  document.getElementById("key-title").textContent = given ? "The function key was refused" : "A function key is needed";
  document.getElementById("key-message").textContent = given
    ? `${error.message} The key this tab holds is wrong or was changed. Open the link that ` +
      "`python -m local up` prints (it carries the key), or paste the app's function key here."
    : `${error.message} Open the link that \`python -m local up\` prints (it carries the key), or paste the ` +
      "app's function key (in Azure: the function app's App keys) here.";
  if (panel.hidden) {
    panel.hidden = false;
    document.getElementById("key-title").focus();
  }
  view?.stop();
}

function route() {
  view?.stop();
  const main = document.getElementById("main");
  const hash = window.location.hash || "#/";
  const run = hash.match(/^#\/runs\/([^/?]+)/);
  if (run) view = new RunView(main, decodeURIComponent(run[1]));
  else if (hash.startsWith("#/deployments")) view = new DeploymentsView(main);
  else view = new RunsView(main, new URLSearchParams(hash.split("?")[1] || "").get("status") || "");
  const title = main.querySelector("h1");
  document.title = `${title ? title.textContent : "Runs"} · Fine-tuning runs`;
  if (document.activeElement && document.activeElement !== document.body && title) title.focus();
  view.start();
}

function start() {
  takeKeyFromAddress();
  const forget = document.getElementById("forget-key");
  forget.hidden = !functionKey();
  forget.addEventListener("click", () => {
    forgetFunctionKey();
    forget.hidden = true;
    announce("The key is forgotten in this tab.");
    keyPanel({ message: "The key is forgotten." });
  });
  document.getElementById("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("key-input");
    if (!input.value.trim()) return;
    setFunctionKey(input.value.trim());
    input.value = "";
    document.getElementById("key-panel").hidden = true;
    forget.hidden = false;
    announce("Key saved for this tab.");
    route();
  });
  onKeyRefused(keyPanel);
  window.addEventListener("hashchange", route);
  document.getElementById("loading")?.remove();
  route();
}

start();
