package io.sluice.filter;

/**
 * The {@code request_headers} and {@code response_headers} filters: {@code { set: {Name: value}, add: {Name:
 * value}, remove: [Name] }} on the request head before it goes to the backend, or on the response head before
 * it goes to the client (local answers included). Remove runs first, then set, then add. Values may hold
 * {@link HeaderTemplate} placeholders ({@code {client_ip}}, {@code {request_id}}, {@code {host}},
 * {@code {path}}, ...). Thread-safe.
 */
final class HeadersFilterFactory implements FilterFactory {
    static final HeadersFilterFactory REQUEST = new HeadersFilterFactory(true);
    static final HeadersFilterFactory RESPONSE = new HeadersFilterFactory(false);

    private final boolean request;

    private HeadersFilterFactory(boolean request) {
        this.request = request;
    }

    @Override
    public String name() {
        return request ? "request_headers" : "response_headers";
    }

    @Override
    public Object configure(FilterArgs args) {
        return HeaderEdits.read(args);
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        HeaderEdits.Compiled edits = ((HeaderEdits) settings).compile();
        return request ? new OnRequest(edits) : new OnResponse(edits);
    }

    /** Edits request heads. */
    static final class OnRequest implements Filter {
        private final HeaderEdits.Compiled edits;

        OnRequest(HeaderEdits.Compiled edits) {
            this.edits = edits;
        }

        @Override
        public Verdict onRequest(FilterContext ctx, io.netty.handler.codec.http.HttpRequest request) {
            edits.apply(request.headers(), ctx);
            return Verdict.next();
        }
    }

    /** Edits response heads. */
    static final class OnResponse implements Filter {
        private final HeaderEdits.Compiled edits;

        OnResponse(HeaderEdits.Compiled edits) {
            this.edits = edits;
        }

        @Override
        public void onResponse(FilterContext ctx, io.netty.handler.codec.http.HttpResponse response) {
            edits.apply(response.headers(), ctx);
        }
    }
}
