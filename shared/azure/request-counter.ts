import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { RequestCounts } from "../inventory/model.js";

export type RequestFamily = keyof RequestCounts;

/** Counts requests per API family, every attempt included (retries are requests too). */
export class RequestCounter {
  private readonly counts: RequestCounts = { resourceGraph: 0, arm: 0, graph: 0, kubernetes: 0 };

  add(family: RequestFamily, n = 1): void {
    this.counts[family] += n;
  }

  snapshot(): RequestCounts {
    return { ...this.counts };
  }

  /** The requests made since an earlier snapshot. */
  since(before: RequestCounts): RequestCounts {
    const now = this.snapshot();
    return {
      resourceGraph: now.resourceGraph - before.resourceGraph,
      arm: now.arm - before.arm,
      graph: now.graph - before.graph,
      kubernetes: now.kubernetes - before.kubernetes,
    };
  }

  /** A pipeline policy (position "perRetry") that counts each attempt under the family. */
  policy(family: RequestFamily | ((url: string) => RequestFamily)): PipelinePolicy {
    return {
      name: `wiscanRequestCounter`,
      sendRequest: (request, next) => {
        this.add(typeof family === "function" ? family(request.url) : family);
        return next(request);
      },
    };
  }
}
