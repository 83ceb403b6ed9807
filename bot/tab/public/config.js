// The configuration page of the channel tab: always valid; saving points the tab at /tab/overzicht on this host.
const status = document.getElementById('status');
const teams = window.microsoftTeams;
try {
  if (!teams) throw new Error('teams-js ontbreekt');
  await Promise.race([teams.app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
  const context = await teams.app.getContext();
  document.body.className = `theme-${context.app.theme || 'default'}`;
  teams.pages.config.registerOnSaveHandler((saveEvent) => {
    const url = `${window.location.origin}/tab/overzicht`;
    teams.pages.config
      .setConfig({ entityId: 'overzicht', contentUrl: url, websiteUrl: url, suggestedDisplayName: 'Overzicht aanmeldingen' })
      .then(() => saveEvent.notifySuccess(), (error) => saveEvent.notifyFailure(String(error)));
  });
  teams.pages.config.setValidityState(true);
  teams.app.notifySuccess();
} catch {
  status.textContent = 'Deze pagina is bedoeld om in Teams een tabblad toe te voegen; hier buiten Teams gebeurt er niets.';
}
