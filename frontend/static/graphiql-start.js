// Starts GraphiQL at /graphql (schema/graphiql.html); a file of its own so the page needs no inline script.
// Requests go to the same origin, so a signed-in browser's session cookie gives its rights.
(function () {
  "use strict";
  var socketScheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    subscriptionUrl: socketScheme + "//" + window.location.host + window.location.pathname,
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
