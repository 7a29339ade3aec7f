import { session, start } from "../core.js";

start(async () => {
  session.clear();
});
