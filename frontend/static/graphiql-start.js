// Starts GraphiQL at /graphql (schema/graphiql.html); a file of its own so the page needs no inline script.
// Requests go to the same origin, so a signed-in browser's session cookie gives its rights.
// `#query=` (and `&variables=`) in the fragment open that operation in a tab: the links of
// /medarbejder/graphql-eksempler. A fragment, because `?query=` makes /graphql run the query (GET).
(function () {
  "use strict";
  var socketScheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    subscriptionUrl: socketScheme + "//" + window.location.host + window.location.pathname,
  });
  var params = new URLSearchParams(window.location.hash.slice(1));
  var props = { fetcher: fetcher, defaultEditorToolsVisibility: true };
  if (params.get("query")) {
    props.query = params.get("query");
    props.variables = params.get("variables") || undefined;
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
})();
