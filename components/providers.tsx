"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { LiveUpdates } from "./live";
import { Announcer, ClockProvider } from "./ui/clock";
import { type ViewerInfo, ViewerProvider } from "./viewer";

/** Everything a dashboard page's client components share. */
export function Providers({
  viewer,
  serverNow,
  children,
}: {
  viewer: ViewerInfo;
  serverNow: number;
  children: ReactNode;
}) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            retry: (count, error) => count < 2 && !(error instanceof Error && "code" in error),
            refetchOnWindowFocus: true,
          },
          mutations: { retry: false },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <ViewerProvider value={viewer}>
        <ClockProvider serverNow={serverNow}>
          <Announcer>
            <LiveUpdates>{children}</LiveUpdates>
          </Announcer>
        </ClockProvider>
      </ViewerProvider>
    </QueryClientProvider>
  );
}
