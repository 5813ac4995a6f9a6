// Quick exit, after the GOV.UK Design System's "Exit this page" component: the button, or
// Shift pressed three times within five seconds, blanks the page at once and replaces it in
// the history, so Back does not bring this page back. The button's address is our /exit/,
// which ends the session and redirects to the neutral site; it cannot remove history
// entries the browser made before.
(() => {
  const button = document.querySelector("[data-exit-this-page]");
  if (!button) return;
  const exit = (event) => {
    if (event) event.preventDefault();
    document.body.classList.add("exit-this-page--exiting");
    document.title = "Loading";
    window.location.replace(button.href);
  };
  button.addEventListener("click", exit);
  let presses = 0;
  let timer = null;
  document.addEventListener("keyup", (event) => {
    if (event.key !== "Shift") {
      presses = 0;
      return;
    }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(() => { presses = 0; }, 5000);
    if (presses >= 3) exit();
  });
})();
