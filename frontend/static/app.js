// labshare: small progressive enhancements; every page works without this file.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.querySelector(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(field.value);
    const label = button.textContent;
    button.textContent = "✓";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
