// Picking a suggested username fills the field in place; without JavaScript the link
// reloads the form with the name pre-filled.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-handle]");
  const field = document.getElementById("id_username");
  if (!link || !field) return;
  event.preventDefault();
  field.value = link.dataset.handle;
  field.focus();
});
